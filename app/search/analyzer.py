"""One analyzer for both databases: a post's texts into tokens (app.search.terms).

A first version: words split on what is not a letter or digit, folded and stemmed. The
full analyzer (compounds, hyphenated words, keywords, limits) replaces it.
"""

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import Stemmer

from app.search.languages import STEMMERS
from app.search.terms import TOKEN_MAX, Analysed


def fold(word: str) -> str:
    """A word as suggestions compare it: NFKC, case folded, diacritics removed."""
    folded = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split_words(text: str) -> list[str]:
    """The words of ``text``, as written (a hyphenated word stays one word)."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalnum() or (ch == "-" and current):
            current.append(ch)
        elif current:
            words.append("".join(current).strip("-"))
            current = []
    if current:
        words.append("".join(current).strip("-"))
    return [word for word in words if word]


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Any:
    algorithm = STEMMERS.get(language.split("-")[0].lower())
    return Stemmer.Stemmer(algorithm) if algorithm else None


def word_token(word: str, language: str) -> str | None:
    """The token of one word in ``language``; None for a word the index leaves out."""
    lowered = unicodedata.normalize("NFKC", word).casefold().replace("-", "")
    stemmer = _stemmer(language)
    stem = stemmer.stemWord(lowered) if stemmer else lowered
    token = fold(stem)
    if not token or len(token) > TOKEN_MAX or not token.isalnum():
        return None
    return token


def query_forms(word: str, languages: Sequence[str]) -> tuple[str, ...]:
    """The distinct tokens of a query word under each of ``languages``."""
    forms = (word_token(word, language) for language in languages)
    return tuple(dict.fromkeys(form for form in forms if form))


def _tokens(text: str, language: str) -> list[str]:
    return [t for t in (word_token(w, language) for w in split_words(text)) if t]


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
    lead = " ".join([excerpt, *tags, source or ""])
    words: dict[str, str] = {}
    for word in split_words(f"{title} {lead} {body}"):
        words.setdefault(fold(word), word)
    return Analysed(
        title=_tokens(title, language),
        lead=_tokens(lead, language),
        body=_tokens(body, language),
        parts=[],
        keywords=[],
        words=words,
    )
