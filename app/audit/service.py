"""Reading the audit log: filters checked and turned into conditions, pages by keyset."""

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, select
from sqlmodel import Session, col

from app.audit import cursor
from app.audit.schemas import AuditActor, AuditEntry, AuditFilters, AuditObject, AuditPage
from app.core.errors import InvalidInput
from app.core.text import parse_id
from app.core.types import as_aware
from app.events.actor import ActorKind
from app.events.models import Event
from app.events.record import ACTIONS, FAMILIES, OBJECT_TYPES

# Actors named by a word: the kinds of actor that have no user.
_KIND_WORDS = {kind.value: kind for kind in ActorKind if kind is not ActorKind.token}
_FAMILY_SUFFIX = ".*"
_EVENTS = Event.metadata.tables["events"]


def _actor(value: str) -> ColumnElement[bool]:
    if value in _KIND_WORDS:
        return col(Event.actor_kind) == _KIND_WORDS[value].value
    user_id = parse_id(value)
    if user_id == 0:
        raise InvalidInput(f"actor: {value!r} is no user id (ids are 1 to 2147483647).")
    if user_id is not None:
        return col(Event.actor_user_id) == user_id
    return col(Event.actor_name) == value


def _action(value: str) -> ColumnElement[bool]:
    if value.endswith(_FAMILY_SUFFIX):
        family = value.removesuffix(_FAMILY_SUFFIX)
        if family not in FAMILIES:
            known = ", ".join(f"{name}.*" for name in sorted(FAMILIES))
            raise InvalidInput(f"action: there is no family {value!r}; the families: {known}.")
        # A range of the action index: every action of the family, and nothing else.
        return col(Event.action).startswith(f"{family}.", autoescape=True)
    if value not in ACTIONS:
        raise InvalidInput(
            f"action: {value!r} is no action; one of {', '.join(ACTIONS)}, or a family "
            "such as post.*."
        )
    return col(Event.action) == value


def _object(value: str) -> list[ColumnElement[bool]]:
    kind, separator, number = value.partition(":")
    object_id = parse_id(number) if separator else None
    if kind not in OBJECT_TYPES or not object_id:
        raise InvalidInput(
            f"object: {value!r} names no object; write TYPE:ID, such as post:12 (types: "
            f"{', '.join(OBJECT_TYPES)})."
        )
    return [col(Event.object_type) == kind, col(Event.object_id) == object_id]


def conditions(filters: AuditFilters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    """What the filters ask for, as conditions; InvalidInput naming a filter that is wrong."""
    where: list[ColumnElement[bool]] = []
    if filters.actor is not None:
        where.append(_actor(filters.actor))
    if filters.action is not None:
        where.append(_action(filters.action))
    if filters.object is not None:
        where += _object(filters.object)
    if filters.after is not None:
        where.append(col(Event.occurred_at) > as_aware(filters.after, zone))
    if filters.before is not None:
        where.append(col(Event.occurred_at) < as_aware(filters.before, zone))
    return where


def read_audit(session: Session, *, filters: AuditFilters, zone: ZoneInfo, key: bytes) -> AuditPage:
    """One page of entries, newest first, from the filters' cursor on.

    Keyset on id: a page starts below the last id the one before showed, so entries added
    meanwhile (they get larger ids) neither repeat nor shift what follows."""
    where = conditions(filters, zone)
    if filters.cursor is not None:
        where.append(col(Event.id) < cursor.decode(filters.cursor, key))
    # One row beyond the page tells whether another page follows.
    statement = select(_EVENTS).where(*where).order_by(_EVENTS.c.id.desc()).limit(filters.limit + 1)
    rows = session.execute(statement).all()
    items = [_entry(row) for row in rows[: filters.limit]]
    more = len(rows) > filters.limit
    next_cursor = cursor.encode(items[-1].id, key) if more else None
    return AuditPage(items=items, next_cursor=next_cursor)


def _entry(row: Row[Any]) -> AuditEntry:
    has_object = row.object_type is not None and row.object_id is not None
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        action=row.action,
        object=AuditObject(type=row.object_type, id=row.object_id) if has_object else None,
        actor=AuditActor(
            kind=ActorKind(row.actor_kind),
            user_id=row.actor_user_id,
            name=row.actor_name,
            token_id=row.actor_token_id,
        ),
        request_id=row.request_id,
        data=row.data,
    )
