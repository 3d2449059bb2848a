"""Text order as German readers expect it, the same on both databases.

Neither database sorts titles that way by itself: SQLite compares bytes ("Zebra" before
"apfel", "Äpfel" after both), and PostgreSQL follows whatever locale the server was set up
with. So each title gets a sort key, made here once on every write and stored beside it: a
byte order of keys (PostgreSQL compares the key column with the "C" collation) is then the
order of DIN 5007-1, and an index on the key gives it without sorting.
"""

import unicodedata
from collections.abc import Callable

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
# Characters whose treatment is kept worked out: far more than all the scripts a site uses.
_MEMO_MAX = 20_000


def sort_key(text: str) -> str:
    """``text``'s place in German dictionary order (DIN 5007-1): "Ä" as "A", case ignored,
    "ß" as "ss", marks, punctuation and symbols ignored, white space as one space; texts
    whose letters are alike then in the order of their letters' forms, lower case before
    upper and plain before marked ("apfel", "Apfel", "äpfel", "Äpfel").

    At most SORT_KEY_MAX characters, however far the text's characters decompose."""
    return f"{_letters(text)}{_TIE_BREAK}{_forms(text)}"


class _Memo(dict[int, str]):
    """A ``str.translate`` table of what each character becomes, worked out per character on
    first sight (Unicode lookups cost a microsecond each, a title has a hundred characters)
    and kept for the first ``_MEMO_MAX`` characters met, so its memory stays bounded."""

    def __init__(self, of: Callable[[str], str]) -> None:
        super().__init__()
        self._of = of

    def __missing__(self, code: int) -> str:
        value = self._of(chr(code))
        if len(self) < _MEMO_MAX:
            self[code] = value
        return value


def _form(character: str) -> str:
    """A composed character's digit of its form, or nothing for one that is not kept."""
    decomposed = unicodedata.normalize("NFD", character)
    if unicodedata.category(decomposed[0]) not in _KEPT:
        return ""
    marked = any(unicodedata.combining(part) for part in decomposed[1:])
    return "0123"[2 * marked + character.isupper()]


def _letter(character: str) -> str:
    """A decomposed character as a key keeps it: itself, a word's end, or nothing."""
    if unicodedata.category(character) in _KEPT:
        return character
    return " " if character.isspace() else ""


_FORMS = _Memo(_form)
_LETTERS = _Memo(_letter)


def _forms(text: str) -> str:
    """A digit per letter or digit of ``text``: 0 plain lower case, 1 plain upper case, 2
    marked lower case, 3 marked upper case."""
    return unicodedata.normalize("NFC", text).translate(_FORMS)[:PRIMARY_MAX]


def _letters(text: str) -> str:
    """The letters and digits of ``text`` as DIN 5007-1 compares them (see ``sort_key``)."""
    # Compatibility decomposition splits "Ä" into "A" and its diaeresis, "ﬁ" into "fi";
    # casefold makes "ß" "ss". What is neither kept nor white space goes without ending a
    # word ("„Ärger“" is "arger").
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    key = " ".join(decomposed.translate(_LETTERS).split())
    # A text of nothing but punctuation keeps it, so it still sorts among its like.
    key = key or " ".join(decomposed.split())
    return key[:PRIMARY_MAX]
