"""Sort keys worked out per character: the same keys for any text, in bounded memory."""

import unicodedata

from app.core import collation
from app.core.collation import sort_key


def test_keys_follow_din_5007_for_every_kind_of_character() -> None:
    assert sort_key("„Ärger“ im Amt") == "arger im amt\x013000000100"
    assert sort_key("Straße") == "strasse\x01100000"
    assert sort_key("ﬁnal  Ⅻ ½") == "final xii 12\x01000010"
    assert sort_key("e\u0301té") == "ete\x01202"  # decomposed and composed marks alike
    assert sort_key("!!! ?") == "!!! ?\x01"  # nothing but punctuation keeps it
    assert len(sort_key("Ä" * 400)) == collation.SORT_KEY_MAX


def test_a_text_of_many_scripts_keeps_the_memory_of_a_few_characters() -> None:
    # Every letter of the Basic Multilingual Plane once: what each becomes is remembered for
    # a bounded number of characters only, and those past the bound are treated alike.
    letters = [
        chr(code) for code in range(0x20, 0xD800) if unicodedata.category(chr(code))[0] == "L"
    ]
    keys = [
        sort_key("".join(letters[start : start + 100])) for start in range(0, len(letters), 100)
    ]
    assert len(collation._FORMS) <= collation._MEMO_MAX
    assert len(collation._LETTERS) <= collation._MEMO_MAX
    assert keys == [
        sort_key("".join(letters[start : start + 100])) for start in range(0, len(letters), 100)
    ]
    assert sort_key("Zebra") == "zebra\x0110000"
