"""One analyzer for both databases: a post's texts into tokens (app.search.terms).

A word's token: NFKC, case folded, stemmed by its language's Snowball stemmer (PyStemmer;
German's maps ae/oe/ue to umlauts itself, so Loewenthal meets Löwenthal), then stripped of
diacritics (ß is already ss by case folding). What is left must be letters and digits only,
1 to TOKEN_MAX characters, or the word is no token. A hyphenated word gives the token of its
pieces joined (``Corona-Krise``: coronakris) and, as *parts*, each piece's token (corona,
kris); a German compound gives its parts' tokens too (app.search.compounds).

The cost of a post is linear in its length: words are found by one scan (app.search.words),
each distinct word is analysed once per post (a dict for the call), and once per process
while it stays among the most recent words of ordinary length (a bounded cache); a word
longer than ``MAX_WORD_CHARS`` as written is no token and is not normalised at all; and a
post keeps at most MAX_POSITIONS tokens.
"""

import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import Stemmer

from app.search import compounds
from app.search.folding import fold as fold
from app.search.folding import strip_marks
from app.search.languages import STEMMERS
from app.search.terms import MAX_POSITIONS, TOKEN_MAX, Analysed
from app.search.wordlists import common_words
from app.search.words import APOSTROPHES, hyphen_pieces, pieces, word_spans

# A word written longer than this is no token (its token would be longer than TOKEN_MAX
# unless most of it were combining marks): it is not normalised, whatever it holds.
MAX_WORD_CHARS = 4 * TOKEN_MAX
KEYWORDS = 20
KEYWORD_MIN = 4
# The folded surface words kept for suggestions: letters only, of these lengths.
SUGGEST_MIN, SUGGEST_MAX = 3, 40
# English's stemmer removes possessives itself (China's: china). Other languages' stemmers
# see the word without a final 's (German's apostrophe genitive, China's for Chinas; Dutch's
# plural, auto's) and without its other apostrophes (aujourd'hui: aujourdhui).
_KEEPS_APOSTROPHE = frozenset({"en"})
_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


class WordForms(NamedTuple):
    """What one word as written gives the index."""

    token: str | None  # None: the word is no token
    parts: tuple[str, ...]  # its hyphen pieces' and compound parts' tokens
    surface: tuple[tuple[str, str], ...]  # (folded, as written) of its pieces, for suggestions


_local = threading.local()


def _stemmer(language: str) -> Any:
    """This thread's stemmer for ``language`` (a stemmer has state: one per thread), None
    without one. Its own cache is off: each analysis caches what it stems."""
    stemmers: dict[str, Any] = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        algorithm = STEMMERS.get(language)
        stemmers[language] = Stemmer.Stemmer(algorithm, 0) if algorithm else None
    return stemmers[language]


def base_language(language: str) -> str:
    """``de-AT`` -> ``de``."""
    return language.split("-")[0].lower()


class Analyser:
    """Analyses words of one language, each distinct word once."""

    def __init__(self, language: str) -> None:
        self.language = base_language(language)
        self.stemmer = _stemmer(self.language)
        self.keeps_apostrophe = self.language in _KEEPS_APOSTROPHE
        self.splits = self.language == compounds.LANGUAGE
        self.tokens: dict[str, str | None] = {}
        self.words: dict[str, WordForms] = {}

    def token(self, word: str) -> str | None:
        """The token of a word without hyphens."""
        found = self.tokens.get(word, "")
        if found != "":
            return found
        token = self._token(word)
        self.tokens[word] = token
        return token

    def _token(self, word: str) -> str | None:
        if len(word) > MAX_WORD_CHARS:
            return None
        lowered = word.lower() if word.isascii() else unicodedata.normalize("NFKC", word).casefold()
        lowered = lowered.translate(_APOSTROPHE)
        if not self.keeps_apostrophe and "'" in lowered:
            lowered = lowered.removesuffix("'s").replace("'", "")
        stem = self.stemmer.stemWord(lowered) if self.stemmer else lowered
        token = strip_marks(stem).replace("'", "")
        if not token or len(token) > TOKEN_MAX or not token.isalnum():
            return None
        return token

    def whole(self, word: str) -> str | None:
        """The token of a word, hyphenated or not (no parts: nothing is split)."""
        return self.token("".join(hyphen_pieces(word)))

    def word(self, word: str) -> WordForms:
        found = self.words.get(word)
        if found is None:
            # Only words that can be tokens are kept beyond the call: a long run of junk
            # would fill the cache with itself and push out the site's words.
            known = len(word) <= MAX_WORD_CHARS
            found = _known_word(self.language, word) if known else self._word(word)
            self.words[word] = found
        return found

    def _word(self, word: str) -> WordForms:
        surface = tuple(
            (folded, piece)
            for piece in pieces(word)
            if len(piece) <= SUGGEST_MAX
            and SUGGEST_MIN <= len(folded := fold(piece)) <= SUGGEST_MAX
            and folded.isalpha()
        )
        split = hyphen_pieces(word)
        if len(split) == 1:
            return WordForms(self.token(word), self._compound(word), surface)
        whole = self.token("".join(split))
        parts: list[str] = []
        for piece in split:
            token = self.token(piece)
            if token is not None:
                parts.append(token)
            parts.extend(self._compound(piece))
        return WordForms(whole, tuple(parts), surface)

    def _compound(self, word: str) -> tuple[str, ...]:
        """The tokens of ``word``'s parts when it is a compound (German only)."""
        if not self.splits or not compounds.MIN_LETTERS <= len(word) <= compounds.MAX_LETTERS:
            return ()
        found = (self.token(part) for part in compounds.split(word.casefold()))
        return tuple(token for token in found if token is not None)


# A site's posts share most of their words: each is analysed once per process, not once per
# post. Bounded, so a stream of distinct words cannot grow it: 65,536 entries of at most a
# few hundred bytes each (words of at most MAX_WORD_CHARS).
@lru_cache(maxsize=1 << 16)
def _known_word(language: str, word: str) -> WordForms:
    return Analyser(language)._word(word)


def split_words(text: str) -> list[str]:
    """The words of ``text``, as written (a hyphenated word stays one word)."""
    return [text[span.start : span.end] for span in word_spans(text)]


def word_token(word: str, language: str) -> str | None:
    """The token of one word in ``language``; None for a word the index leaves out. Safe
    from any thread; a word of ordinary length is analysed once per process while it stays
    among the most recent (a query's words, the words highlighting looks at)."""
    base = base_language(language)
    if len(word) > MAX_WORD_CHARS:
        return Analyser(base).whole(word)
    return _known_token(base, word)


# Like _known_word, for a word's token alone: what a query's words and the words of the hits
# highlighted need, a dict lookup for a word seen before (analysing one costs microseconds,
# and the same words recur from hit to hit and request to request).
@lru_cache(maxsize=1 << 16)
def _known_token(language: str, word: str) -> str | None:
    return Analyser(language).whole(word)


def query_forms(word: str, languages: Sequence[str]) -> tuple[str, ...]:
    """The distinct tokens of a query word under each of ``languages``."""
    forms = (word_token(word, language) for language in languages)
    return tuple(dict.fromkeys(form for form in forms if form))


_common: dict[str, frozenset[str]] = {}


def common_tokens(language: str) -> frozenset[str]:
    """The tokens of ``language``'s most common words (app.search.wordlists): never a
    keyword."""
    base = base_language(language)
    found = _common.get(base)
    if found is None:
        analyser = Analyser(base)
        tokens = (analyser.token(word) for word in common_words(base))
        found = _common[base] = frozenset(token for token in tokens if token)
    return found


class _Streams:
    """The token streams of a post being analysed, within MAX_POSITIONS."""

    def __init__(self, analyser: Analyser) -> None:
        self.analyser = analyser
        self.room = MAX_POSITIONS
        self.parts: list[str] = []
        self.words: dict[str, str] = {}

    def column(self, texts: Iterable[str]) -> list[str]:
        """The tokens of ``texts`` in order, their parts added to ``parts``; stops where the
        post's positions run out."""
        tokens: list[str] = []
        for text in texts:
            for span in word_spans(text):
                if self.room <= 0:
                    return tokens
                forms = self.analyser.word(text[span.start : span.end])
                if forms.token is not None:
                    tokens.append(forms.token)
                    self.room -= 1
                kept = forms.parts[: max(self.room, 0)]
                self.parts.extend(kept)
                self.room -= len(kept)
                for folded, written in forms.surface:
                    self.words.setdefault(folded, written)
        return tokens


def _keywords(columns: Iterable[list[str]], common: frozenset[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for tokens in columns:
        counts.update(token for token in tokens if len(token) >= KEYWORD_MIN)
    # Counter keeps first-seen order, and sorting is stable: ties stay in text order.
    ranked = sorted(
        (token for token in counts if token not in common), key=lambda token: -counts[token]
    )
    return ranked[:KEYWORDS]


def analyse_post(
    *,
    title: str,
    excerpt: str,
    body: str,
    tags: Sequence[str],
    source: str | None,
    language: str,
) -> Analysed:
    """What the index keeps of a post written in ``language``."""
    analyser = Analyser(language)
    streams = _Streams(analyser)
    title_tokens = streams.column([title])
    lead_tokens = streams.column([excerpt, *tags, source or ""])
    body_tokens = streams.column([body])
    keywords = _keywords([lead_tokens, body_tokens], common_tokens(language))
    return Analysed(
        title=title_tokens,
        lead=lead_tokens,
        body=body_tokens,
        parts=streams.parts,
        keywords=keywords,
        words=streams.words,
    )
