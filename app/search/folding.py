"""Folding: how two spellings of a word are made one (case, compatibility forms, accents)."""

import unicodedata

# Folding is per character apart from these, which casefold() leaves or turns into a
# combining sequence: mapped straight, it is a translate() and no normalisation at all.
_SIMPLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# The vowels of Snowball's German stemmer, and the umlauts it reads ae, oe, ue as.
_GERMAN_VOWELS = frozenset("aeiouyäöü")
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü"}


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


def german_umlauts(word: str) -> str:
    """``word`` (case folded) with ae, oe and ue read as umlauts, exactly where the German
    Snowball stemmer reads them so before it stems (its prelude): not the u of qu (Quelle),
    nor a u between two vowels, which is a consonant there (Feuer, Bauer; marked left to
    right, each match's last vowel not starting another). The stemmer only ever cuts a word's
    end after that, so its stem is a beginning of what this gives: a prefix folded so meets
    the stems of the words it begins."""
    length = len(word)
    consonant: set[int] = set()
    at = 0
    while at + 2 < length:
        if word[at] in _GERMAN_VOWELS and word[at + 1] in "uy" and word[at + 2] in _GERMAN_VOWELS:
            consonant.add(at + 1)
            at += 3
        else:
            at += 1
    read: list[str] = []
    at = 0
    while at < length:
        pair = word[at : at + 2]
        umlaut = _UMLAUTS.get(pair)
        if pair == "qu" or (pair == "ue" and at in consonant):
            read.append(pair)
            at += 2
        elif umlaut is not None:
            read.append(umlaut)
            at += 2
        else:
            read.append(word[at])
            at += 1
    return "".join(read)


def fold_as_token(word: str, language: str) -> str:
    """``word`` folded as the analyzer folds a word of ``language`` (a base code: ``de``)
    into its token, all but the stemming: NFKC, case folded, in German ae/oe/ue read as
    umlauts, diacritics removed. What a prefix is looked for as: ``Loewen*``, ``Lowen*`` and
    ``Löwen*`` all as lowen, as the token of Loewenthal is lowenthal."""
    lowered = word.lower() if word.isascii() else unicodedata.normalize("NFKC", word).casefold()
    if language.split("-")[0].lower() == "de":
        lowered = german_umlauts(lowered)
    return strip_marks(lowered)
