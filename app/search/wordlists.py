"""Word frequencies of a language, from the lists the spell checker package ships.

They are maintained word lists with counts from a large corpus (film subtitles: everyday
language, so the most frequent words are the function words, auxiliaries and the commonest
verbs and adjectives). Search uses them for two things: the language's most common words,
which are never a post's keywords nor a compound's part, and, in German, which words exist
(and how often) for splitting compounds. A list is read once per process, when first needed.
"""

import gzip
import heapq
import importlib.resources
import threading
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import ijson  # type: ignore[import-untyped]  # ships no type information

from app.search.folding import fold

# The most frequent words of a language that count as its "common words". In the German and
# English lists the first few hundred are function words, pronouns, auxiliaries and everyday
# verbs; past them come content words (Krieg, Zeit, Welt) a keyword or a compound part can be.
COMMON_RANK = 300
# Words of these lengths are kept for compound splitting: shorter ones are no part, longer
# ones no word a compound is split into.
PART_MIN, WORD_MAX = 3, 40
# The lists give each word a count; words without one in the corpus get this floor.
FLOOR = 50

# One list is read at a time, and once: it is large, and threads may ask for it together.
_LOCK = threading.Lock()
_common: dict[str, frozenset[str]] = {}
_vocabularies: dict[str, "Vocabulary"] = {}


def _entries(language: str) -> Iterator[tuple[str, int]]:
    """The language's list, word by word (none when the package has no list): streamed, so
    reading it never holds the whole list's parse (some 80 MB for German) at once."""
    resource = importlib.resources.files("spellchecker") / "resources" / f"{language}.json.gz"
    if not resource.is_file():
        return
    with resource.open("rb") as raw, gzip.open(raw, "rb") as unpacked:
        for word, count in ijson.kvitems(unpacked, ""):
            if isinstance(word, str) and isinstance(count, int):
                yield word, count


def common_words(language: str) -> frozenset[str]:
    """The ``COMMON_RANK`` most frequent words of ``language``, folded (empty without a
    list)."""
    with _LOCK:
        found = _common.get(language)
        if found is None:
            vocabulary = _vocabularies.get(language)
            found = vocabulary.common if vocabulary else _top(_entries(language))
            _common[language] = found
        return found


def _top(entries: Iterable[tuple[str, int]]) -> frozenset[str]:
    ranked = heapq.nlargest(COMMON_RANK, entries, key=lambda entry: entry[1])
    return frozenset(fold(word) for word, _ in ranked)


class Vocabulary(NamedTuple):
    """The words of a language, folded, 3 to 40 letters: every known word, and the counts
    of those counted above the floor."""

    known: frozenset[str]
    counts: dict[str, int]
    common: frozenset[str]

    def frequency(self, word: str) -> int:
        """How often ``word`` occurs: its count, the floor for a known word without one, 0
        for an unknown word."""
        count = self.counts.get(word)
        if count is not None:
            return count
        return FLOOR if word in self.known else 0


def vocabulary(language: str) -> Vocabulary:
    """The language's vocabulary, read once per process (German: 336,000 words, about
    0.6 s of CPU and 41 MB kept)."""
    with _LOCK:
        found = _vocabularies.get(language)
        if found is None:
            found = _vocabularies[language] = _build(_entries(language))
        return found


def _build(entries: Iterable[tuple[str, int]]) -> Vocabulary:
    known: set[str] = set()
    counted: dict[str, int] = {}
    ranked: list[tuple[int, str]] = []  # a heap of the most frequent words
    for word, count in entries:
        if len(ranked) < COMMON_RANK:
            heapq.heappush(ranked, (count, word))
        elif count > ranked[0][0]:
            heapq.heapreplace(ranked, (count, word))
        folded = fold(word)
        if not (PART_MIN <= len(folded) <= WORD_MAX and folded.isalpha()):
            continue
        known.add(folded)
        # Two spellings folded into one (schon, schön) count as the more frequent one.
        if count > FLOOR and count > counted.get(folded, 0):
            counted[folded] = count
    common = frozenset(fold(word) for _, word in ranked)
    return Vocabulary(frozenset(known), counted, common)
