"""Unique, readable slugs for any table with a ``slug`` column."""

from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlmodel import Session

from app.core.text import SLUG_MAX_LENGTH, slugify

# Room for a "-NNN" suffix within the column's length.
_BASE_MAX_LENGTH = SLUG_MAX_LENGTH - 8
_BATCH = 20


def unique_slug(session: Session, column: Mapped[str], text: str, *, fallback: str) -> str:
    """A slug for ``text`` that no row has yet: "strasse", then "strasse-2", "strasse-3" ...

    All-digit slugs get the fallback word in front, because a number in a URL means an id.
    """
    base = slugify(text, max_length=_BASE_MAX_LENGTH) or fallback
    if base.isdigit():
        base = slugify(f"{fallback} {base}", max_length=_BASE_MAX_LENGTH)
    # Exact candidates, a batch at a time: each is one probe of the unique index, where a
    # prefix match (LIKE 'base%') would read every slug in the table.
    first = 2
    candidates = [base]
    while True:
        candidates += [f"{base}-{number}" for number in range(first, first + _BATCH)]
        taken = set(session.scalars(select(column).where(column.in_(candidates))))
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first, candidates = first + _BATCH, []
