"""Text order as German readers expect it, the same on both databases.

Neither database sorts titles that way by itself: SQLite compares bytes ("Zebra" before
"apfel", "Äpfel" after both), and PostgreSQL follows whatever locale the server was set up
with. So each title gets a sort key, made here once on every write and stored beside it: a
byte order of keys (PostgreSQL compares the key column with the "C" collation) is then the
order of DIN 5007-1, and an index on the key gives it without sorting.
"""

import unicodedata

# The longest key: a title's length (300) for its letters, whatever they decompose to, and as
# much again for their tie-break, so that index entries stay far below PostgreSQL's limit of a
# third of a page.
PRIMARY_MAX = 300
SORT_KEY_MAX = 2 * PRIMARY_MAX + 1
# Between a key's letters and its tie-break: below every character the letters may hold.
_TIE_BREAK = "\x01"
# The kept characters' classes: letters and digits. Marks go (they are what makes "Ä" of
# "A" once decomposed), as do punctuation and symbols ("„Ärger“" sorts under A).
_KEPT = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No"))


def sort_key(text: str) -> str:
    """``text``'s place in German dictionary order (DIN 5007-1): "Ä" as "A", case ignored,
    "ß" as "ss", marks, punctuation and symbols ignored, white space as one space; texts
    whose letters are alike then in the order of their letters' forms, lower case before
    upper and plain before marked ("apfel", "Apfel", "äpfel", "Äpfel").

    At most SORT_KEY_MAX characters, however far the text's characters decompose."""
    return f"{_letters(text)}{_TIE_BREAK}{_forms(text)}"


def _forms(text: str) -> str:
    """A digit per letter or digit of ``text``: 0 plain lower case, 1 plain upper case, 2
    marked lower case, 3 marked upper case."""
    forms = []
    for character in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", character)
        if unicodedata.category(decomposed[0]) not in _KEPT:
            continue
        marked = any(unicodedata.combining(part) for part in decomposed[1:])
        forms.append("0123"[2 * marked + character.isupper()])
        if len(forms) == PRIMARY_MAX:
            break
    return "".join(forms)


def _letters(text: str) -> str:
    """The letters and digits of ``text`` as DIN 5007-1 compares them (see ``sort_key``)."""
    # Compatibility decomposition splits "Ä" into "A" and its diaeresis, "ﬁ" into "fi";
    # casefold makes "ß" "ss".
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    words: list[str] = []
    word: list[str] = []
    for character in decomposed:
        if unicodedata.category(character) in _KEPT:
            word.append(character)
        elif character.isspace() and word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    # A text of nothing but punctuation keeps it, so it still sorts among its like.
    key = " ".join(words) or " ".join(decomposed.split())
    return key[:PRIMARY_MAX]
