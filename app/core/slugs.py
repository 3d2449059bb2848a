"""Unique, readable slugs for any table with a ``slug`` column."""

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import cache

from sqlalchemy import Column, Select, bindparam, func, literal, select
from sqlalchemy.orm import Mapped
from sqlmodel import Session

from app.core.errors import Conflict
from app.core.text import SLUG_MAX_LENGTH, slugify

# Room for a "-NNN" suffix within the column's length.
_BASE_MAX_LENGTH = SLUG_MAX_LENGTH - 8
_BATCH = 20
# The first half of the advisory lock keys of slugs (PostgreSQL's two-number form), kept
# apart from any other use of advisory locks: "slug" in ASCII.
_SLUG_LOCKS = 0x736C7567


def _suffixed(base: str, number: int) -> str:
    return base if number == 1 else f"{base}-{number}"


@cache
def _taken_of(column: Mapped[str]) -> Select[str]:
    """Which of the slugs ``names`` rows have: built once per column, because building a
    statement costs more than the indexed lookup it makes. On the table's own column, so it
    runs as plain SQL on the session's connection: the ORM's execution of it cost as much
    again as the lookup (a creation's new slug: 0.16 against 0.08 ms)."""
    table_column: Column[str] = column.property.columns[0]  # type: ignore[attr-defined]
    return select(table_column).where(table_column.in_(bindparam("names", expanding=True)))


def _taken(session: Session, column: Mapped[str], names: list[str]) -> set[str]:
    """Which of ``names`` rows have as their slug."""
    return set(session.connection().scalars(_taken_of(column), {"names": names}))


def _first_free(
    session: Session,
    column: Mapped[str],
    base: str,
    numbers: list[int],
    reserved: AbstractSet[str] = frozenset(),
) -> int | None:
    """The first of ``numbers`` whose suffixed slug no row has and is not ``reserved``, in one
    query: each candidate is one probe of the unique index, where a prefix match
    (LIKE 'base%') would read every slug."""
    names = {_suffixed(base, number): number for number in numbers}
    taken = _taken(session, column, list(names)) | reserved
    return next((number for name, number in names.items() if name not in taken), None)


def _base(text: str, fallback: str) -> str:
    # All-digit slugs get the fallback word in front, because a number in a URL means an id.
    base = slugify(text, max_length=_BASE_MAX_LENGTH) or fallback
    return slugify(f"{fallback} {base}", max_length=_BASE_MAX_LENGTH) if base.isdigit() else base


def lock_slug(session: Session, text: str, *, fallback: str) -> None:
    """On PostgreSQL, wait for any other transaction that holds the lock of ``text``'s slug
    and hold it until this one ends, so that writers choosing a slug for the same words do
    it one after the other, each seeing the slug the one before took. SQLite needs none: its
    writers take turns anyway."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtext(literal(_base(text, fallback)))
        session.execute(select(func.pg_advisory_xact_lock(_SLUG_LOCKS, key)))


def unique_slugs(
    session: Session, column: Mapped[str], texts: Sequence[str], *, fallback: str
) -> list[str]:
    """``unique_slug`` for rows about to be added together: no two get the same slug, and
    the new titles among them (most) cost one query between them."""
    bases = [_base(text, fallback) for text in texts]
    taken = _taken(session, column, list(set(bases)))
    slugs: list[str] = []
    given: set[str] = set()
    for text, base in zip(texts, bases, strict=True):
        taken_already = base in taken or base in given
        slug = _numbered(session, column, base, text, given) if taken_already else base
        slugs.append(slug)
        given.add(slug)
    return slugs


def unique_slug(session: Session, column: Mapped[str], text: str, *, fallback: str) -> str:
    """A slug for ``text`` that no row has yet: "strasse", then "strasse-2", "strasse-3" ...
    (all digits get ``fallback`` in front)."""
    base = _base(text, fallback)
    # Most titles are new: one equality lookup, before a batch of numbered candidates.
    if not _taken(session, column, [base]):
        return base
    return _numbered(session, column, base, text, frozenset())


def _numbered(
    session: Session, column: Mapped[str], base: str, text: str, reserved: AbstractSet[str]
) -> str:
    """The first free "base-N" (N ≥ 2) that is not ``reserved`` either, ``base`` being taken."""
    free = _first_free(session, column, base, list(range(2, _BATCH + 2)), reserved)
    if free is not None:
        return _suffixed(base, free)
    # A common title: numbers are handed out in order, so the taken ones are (nearly) a run
    # from 1. Find a free number past that run by doubling, then narrow down to the run's end
    # a batch of probes at a time: a handful of queries however often the title was used,
    # where counting up would take one per twenty posts with this title.
    taken = _BATCH + 1
    free = _first_free(session, column, base, [taken << shift for shift in range(1, 19)], reserved)
    if free is None:  # millions of rows with this title: the suffix would outgrow its room
        raise Conflict(f"Too many entries are called {text!r}; give this one a slug.")
    while free - taken > 1:
        # Each step is below the gap, so the probes are never empty and the gap shrinks.
        step = -(-(free - taken) // (_BATCH + 1))
        probes = list(range(taken + step, free, step))
        found = _first_free(session, column, base, probes, reserved)
        if found is None:
            taken = probes[-1]
        else:
            taken, free = found - step, found
    return _suffixed(base, free)
