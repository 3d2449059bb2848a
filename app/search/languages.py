"""The languages search knows: each one's stemmer, and detecting a text's language.

Detection is py3langid's naive Bayes model (byte n-grams, 140 languages), restricted to the
languages the site searches in. Measured on headlines and sentences (German and English,
three to twelve words): among six languages, an answer of probability 0.7 or more was wrong
for about one text in a thousand of three words and for none of four words or more, while
one- and two-word texts were wrong often at any probability; so a text of fewer than three
words is not guessed at, nor one the model gives less than 0.7.
"""

import threading
from collections.abc import Sequence
from itertools import islice
from typing import Any

# ISO 639-1 code -> the Snowball algorithm PyStemmer names it by.
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian",
    "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian", "ne": "nepali",
    "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
# Those the detector knows as well (py3langid has no Yiddish): a post is only ever stored in
# a language search can both recognise and stem (tests/test_search_languages.py checks this
# against the model's own list).
SUPPORTED = frozenset(STEMMERS) - {"yi"}

# What detection reads of a text at most (a title and the body's first sentences): a text of a
# few hundred characters is recognised with certainty (every one of the sentences measured
# was), and the model reads byte by byte in Python, about 0.35 ms per 1,000 characters. At
# 300, a post costs about 0.15 ms, a third of what rendering its body does, and a
# 200,000-character body no more than a short one; an import's reader process does both for
# each post.
DETECT_CHARS = 300
DETECT_MIN_WORDS = 3
DETECT_MIN_PROBABILITY = 0.7

_lock = threading.Lock()
_base: Any = None
_restricted: dict[tuple[str, ...], Any] = {}


def _load_base() -> Any:
    """The model, narrowed to the supported languages: the full one's class table (140
    languages) is four fifths of its size and is let go at once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    kept = [i for i, label in enumerate(full.nb_classes) if label in SUPPORTED]
    return LanguageIdentifier(
        full.nb_ptc[:, kept],
        full.nb_pc[kept],
        [full.nb_classes[i] for i in kept],
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )


def _identifier(allowed: tuple[str, ...]) -> Any:
    """The model restricted to ``allowed``: loaded on first use, once per process (about half
    a second), and shared by every thread; an identifier is only read once made."""
    global _base
    with _lock:
        found = _restricted.get(allowed)
        if found is None:
            if _base is None:
                _base = _load_base()
            from py3langid.langid import LanguageIdentifier

            found = LanguageIdentifier(
                _base.nb_ptc,
                _base.nb_pc,
                _base.nb_classes,
                _base.tk_nextmove,
                _base.tk_output,
                norm_probs=True,
                tk_row=_base.tk_row,
            )
            found.set_languages(allowed)
            _restricted[allowed] = found
        return found


def _detection_text(text: str) -> tuple[str, bool]:
    """The start of ``text`` that detection reads, without addresses (which say nothing of
    a language), and whether it has enough words with letters to tell."""
    words = [
        word
        for word in text[:DETECT_CHARS].split()
        if "://" not in word and not word.startswith("www.")
    ]
    lettered = (word for word in words if any(map(str.isalpha, word)))
    enough = sum(1 for _ in islice(lettered, DETECT_MIN_WORDS)) == DETECT_MIN_WORDS
    return " ".join(words), enough


def detect_language(text: str, allowed: Sequence[str]) -> str | None:
    """The language of ``text`` among ``allowed`` (ISO 639-1 codes, all in ``SUPPORTED``);
    None when the text is too short to tell or the model is unsure. CPU work (well under a
    millisecond): never on the event loop, never in a write transaction."""
    languages = tuple(sorted({language for language in allowed if language in SUPPORTED}))
    if not languages:
        return None
    sample, enough = _detection_text(text)
    if not enough:
        return None
    if len(languages) == 1:
        return languages[0]
    language, probability = _identifier(languages).classify(sample)
    return str(language) if probability >= DETECT_MIN_PROBABILITY else None
