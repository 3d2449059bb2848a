"""German compound words into their parts, at index time: ``Energiewende`` is also found by
``Wende`` and ``Energie``, ``Außenpolitik`` by ``Politik``.

Koehn & Knight (2003), "Empirical methods for compound splitting": among the ways to cut a
word into known words (here: 2 or 3 parts of 3+ letters, with one of the linking elements
``s es n en e er`` allowed between two parts), take the one whose parts' geometric mean
frequency is highest, and split only when it is at least the whole word's frequency (0 for
an unknown word). The frequencies are the German word list's (app.search.wordlists).

That list counts film subtitles: function words and everyday verbs have counts in the
millions, while most nouns sit at the list's floor (Bundesregierung, Bund and Regierung all
alike). Hence three choices, each a departure from the paper's plain rule:

- A tie splits ("at least", not "more than"): a compound of floor-count nouns has exactly its
  parts' mean, and Bundesregierung must split.
- The language's most common words (app.search.wordlists ``COMMON_RANK``: unter, bei, vor,
  zusammen, ...) are no part: their huge counts would otherwise split every derived word
  (Unternehmen into unter + nehmen, Beispiel into bei + spiel).
- A first part that is an inseparable verb prefix plus one or two letters (``verb``, ``vers``,
  ``gebe``) is no part: Verbraucher is ver-brauch-er, not Verb + Raucher, Verstand is not
  Vers + Tand. Verband, Vertrag and the like keep splitting where the rule allows.
- A last part that is a derivational suffix as well as a word (``schaft``, ``haft``, ``bar``,
  ``tum``, ``ion``) is no part: Wirtschaft is no Wirt + Schaft, ernsthaft no Haft, Region no
  Reg + Ion.

Known false splits remain where a word is, letter for letter, two listed words and the
counts cannot tell (Transport: Tran + Sport, Protest: Pro + Test, Sektoren: Sek + Toren):
a query for the second word finds such a post, ranked as a part match, below posts that hold
the word itself.

What splits, then, is a noun (or adjective) made of listed content words: Energiewende,
Außenpolitik, Bundesregierung, Wasserstoff (Wasser + Stoff: a query for Wasser finds it, ranked
as a part match below posts that have the word itself). Parts found here are analysed (stemmed)
like any word and go to the index's parts column only.

The cost per word is bounded: at most 40 letters, each of its substrings looked up at most once
(a few hundred set lookups for the longest words).
"""

import math
from functools import lru_cache
from typing import NamedTuple

from app.search.folding import fold
from app.search.wordlists import FLOOR, PART_MIN, WORD_MAX, Vocabulary, vocabulary

LANGUAGE = "de"
# Only words of these lengths are split: two parts of 3 letters at least, 40 letters at most.
MIN_LETTERS, MAX_LETTERS = 2 * PART_MIN, WORD_MAX
MAX_PARTS = 3
# The shortest part of a three-part split.
THREE_PART_MIN = 4
LINKS = ("", "s", "es", "n", "en", "e", "er")
# be-, emp-, ent-, er-, ge-, miss-, ver-, zer-: German's inseparable prefixes.
_PREFIXES = ("be", "emp", "ent", "er", "ge", "miss", "ver", "zer")
# Suffixes that make new words (Wirtschaft, ernsthaft, sichtbar, Reichtum; Region, Aktionen)
# and are words too.
_SUFFIXES = frozenset(
    {"schaft", "schaften", "schafts", "haft", "hafte", "haften", "bar", "bare", "tum"}
    | {"ion", "ionen"}
)


class _Split(NamedTuple):
    log_sum: float  # sum of the parts' log frequencies
    ends: tuple[tuple[int, int], ...]  # each part's (start, end) in the word


# Words met again (most of a site's words recur from post to post) are split once per process;
# bounded, so a stream of distinct words cannot grow it.
@lru_cache(maxsize=1 << 16)
def split(word: str) -> tuple[str, ...]:
    """The parts of the German compound ``word`` (case folded), empty when it is none.

    The parts are cut from ``word`` as given (umlauts kept when it has them), without their
    linking elements: ``energiewende`` -> ``energie``, ``wende``; ``bundesregierung`` ->
    ``bund``, ``regierung``.
    """
    folded = fold(word)
    if not (MIN_LETTERS <= len(folded) <= MAX_LETTERS) or not folded.isalpha():
        return ()
    # Cut the word as given where folding kept its length (umlauts), else its folded form.
    source = word if len(word) == len(folded) else folded
    best = _Splitter(folded, vocabulary(LANGUAGE)).best()
    if best is None:
        return ()
    return tuple(source[start:end] for start, end in best.ends)


class _Splitter:
    """The best split of one word: each substring looked up once, each (start, parts)
    solved once."""

    def __init__(self, word: str, words: Vocabulary) -> None:
        self.word = word
        self.words = words
        self.heads: dict[int, list[tuple[int, float]]] = {}
        self.solved: dict[tuple[int, int, int], _Split | None] = {}

    def best(self) -> _Split | None:
        whole = self.words.frequency(self.word)
        floor = math.log(whole) if whole else -math.inf
        # Two parts when they will do; three only for a word no two parts make: three parts
        # often have a higher mean only because short words are frequent (Wirtschaftsgürtel
        # is Wirtschaft + Gürtel, not Wirt + Schaft + Gürtel).
        for parts in range(2, MAX_PARTS + 1):
            found = self._solve(0, parts, parts)
            if found is not None and found.log_sum / parts >= floor:
                return found
        return None

    def _heads(self, start: int) -> list[tuple[int, float]]:
        """Each part ``word[start:end]`` can be: (end, log frequency), shortest first."""
        found = self.heads.get(start)
        if found is not None:
            return found
        word, length = self.word, len(self.word)
        known, counts, common = self.words.known, self.words.counts, self.words.common
        found = []
        for end in range(start + PART_MIN, length + 1):
            part = word[start:end]
            if part not in known or part in common:
                continue
            if start == 0 and any(
                part.startswith(prefix) and end - len(prefix) <= 2 for prefix in _PREFIXES
            ):
                continue
            if end == length and part in _SUFFIXES:
                continue
            found.append((end, math.log(counts.get(part, FLOOR))))
        self.heads[start] = found
        return found

    def _solve(self, start: int, parts: int, total: int) -> _Split | None:
        """The best way to cut ``word[start:]`` into exactly ``parts`` parts (of a split
        into ``total``)."""
        key = (start, parts, total)
        if key in self.solved:
            return self.solved[key]
        word, length = self.word, len(self.word)
        # A part of three letters only in two: Zusammenarbeit is no Zus + Amme + Arbeit.
        shortest = PART_MIN if total == 2 else THREE_PART_MIN
        best: _Split | None = None
        for end, head in self._heads(start):
            if end - start < shortest:
                continue
            if parts == 1:
                if end == length:
                    best = _Split(head, ((start, end),))
                continue
            if end > length - shortest * (parts - 1):
                break
            for link in LINKS:
                rest = end + len(link)
                if length - rest < shortest * (parts - 1) or not word.startswith(link, end):
                    continue
                tail = self._solve(rest, parts - 1, total)
                # The first best stays: the shortest head, with the shortest link.
                if tail is not None and (best is None or head + tail.log_sum > best.log_sum):
                    best = _Split(head + tail.log_sum, ((start, end), *tail.ends))
        self.solved[key] = best
        return best
