"""Text input shared by every domain: hygiene, plain-text fields and slugs."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from slugify import slugify as _slugify

from app.core.html import strip_tags

# German transliteration first, so "Führung" becomes "fuehrung", not "fuhrung".
_GERMAN = [
    ["Ä", "Ae"],
    ["Ö", "Oe"],
    ["Ü", "Ue"],
    ["ä", "ae"],
    ["ö", "oe"],
    ["ü", "ue"],
    ["ß", "ss"],
]
SLUG_MAX_LENGTH = 200
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode (no lone surrogates)") from exc
    return value


def plain_text(value: str) -> str:
    """Text without markup."""
    return strip_tags(_check_text(value)).strip()


def plain_line(value: str) -> str:
    """Text without markup, its white space folded to single spaces: one line."""
    return " ".join(plain_text(value).split())


CLEANING = "presseschau_cleaning"
"""Validation context key: markup is taken out of plain-text fields (see app.core.inputs)."""


def _cleaning(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(CLEANING))


def _plain_text_field(value: str, info: ValidationInfo) -> str:
    return plain_text(value) if _cleaning(info) else _check_text(value)


def _line_field(value: str, info: ValidationInfo) -> str:
    return plain_line(value) if _cleaning(info) else _check_text(value)


MAX_ID = 2**31 - 1


def parse_id(value: str) -> int | None:
    """The id a path segment names, or None when it is a slug (or no possible id)."""
    if value.isascii() and value.isdigit():
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0
    return None


def _not_a_number(value: str) -> str:
    if value.isascii() and value.isdigit():
        raise ValueError("must contain a letter; numbers in URLs are ids")
    return value


CleanText = Annotated[str, AfterValidator(_check_text)]
"""Any text stored as given: no NUL bytes, no lone surrogates (neither survives storage)."""


@dataclass(frozen=True)
class CleanedPattern:
    """A pattern for plain text, checked on it once cleaned (markup may well not match it);
    the API's schema states it as any pattern."""

    pattern: str
    meaning: str  # what a refusal says: the pattern in words

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        compiled = re.compile(self.pattern)

        def check(value: str, info: ValidationInfo) -> str:
            if _cleaning(info) and compiled.match(value) is None:
                raise ValueError(self.meaning)
            return value

        return core_schema.with_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}


# Validating a request checks only the text as sent, its length included, in time linear in
# it; taking the markup out comes after, in a worker thread (``TextInput.cleaned``), and the
# constraints that follow these types are checked again on the cleaned text then.
PlainText = Annotated[str, AfterValidator(_plain_text_field)]
"""Text without markup: tags are removed on write (stored XSS stops here)."""

Line = Annotated[str, AfterValidator(_line_field)]
"""One line of plain text: no markup, white space runs folded to one space."""

SlugRef = Annotated[
    str, StringConstraints(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN)
]
"""How a request names a row: its slug, or its id in digits."""

Slug = Annotated[SlugRef, AfterValidator(_not_a_number)]
"""Lower-case letters, digits and single hyphens, not only digits."""

# Every year from 2 to 9998 converts to UTC and back in any time zone without overflowing.
_EARLIEST, _LATEST = datetime(2, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    probe = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not _EARLIEST <= probe <= _LATEST:
        raise ValueError("must lie between the years 2 and 9998")
    return value


Moment = Annotated[datetime, AfterValidator(_in_range)]
"""A date and time the API accepts: RFC 3339, within years every time zone can represent."""


def slugify(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    return _slugify(text, replacements=_GERMAN, max_length=max_length, word_boundary=True)
