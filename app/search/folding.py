"""Folding: how two spellings of a word are made one (case, compatibility forms, accents)."""

import unicodedata

# Folding is per character apart from these, which casefold() leaves or turns into a
# combining sequence: mapped straight, it is a translate() and no normalisation at all.
_SIMPLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def strip_marks(text: str) -> str:
    """``text`` without diacritics: decomposed, combining marks dropped."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(word: str) -> str:
    """A word as suggestions compare it: NFKC, case folded, diacritics removed."""
    if word.isascii():
        return word.lower()
    lowered = word.lower().translate(_SIMPLE)
    if lowered.isascii():
        return lowered
    return strip_marks(unicodedata.normalize("NFKC", word).casefold())
