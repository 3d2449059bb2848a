"""Test data made through the services, so every test starts from real rows."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, LargeBinary, bindparam, column, insert, table, text
from sqlmodel import Session

from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import UserCreate
from app.auth.service import Viewer
from app.core.db import Database
from app.core.text import slugify
from app.events import record as events_record
from app.posts import documents
from app.posts import service as posts
from app.posts.models import PostStatus
from app.posts.schemas import PostCreate, PostPublic
from app.posts.tags import slug_of
from app.sources import service as sources
from app.sources.schemas import SourceCreate, SourcePublic

BERLIN = ZoneInfo("Europe/Berlin")
_counter = itertools.count(1)


@dataclass(frozen=True)
class Account:
    viewer: Viewer
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(db: Database, role: Role = Role.editor, name: str | None = None) -> Account:
    name = name or f"{role.value}-{next(_counter)}"
    user, token = db.call(auth.create_user, data=UserCreate(name=name, role=role))
    assert user.id is not None
    return Account(Viewer(user_id=user.id, name=user.name, role=role, token_id=0), token)


def make_source(db: Database, **fields: Any) -> SourcePublic:
    number = next(_counter)
    data = {"name": f"Quelle {number}", "domains": [f"quelle{number}.example"], **fields}
    return db.call(sources.create_source, data=SourceCreate.model_validate(data))


def tagged(*names: str) -> list[dict[str, str]]:
    """A post's ``tags`` as a read shows them, for tags of these names (in this order): each
    with the slug its name was given."""
    return [{"slug": slug_of(name), "name": name} for name in names]


def make_post(db: Database, author: Account, **fields: Any) -> PostPublic:
    number = next(_counter)
    data: dict[str, Any] = {
        "title": f"Beitrag {number}",
        "body": f"Text des Beitrags {number}.",
        "status": "published",
        # Each post a second older than the one before, all on 10 January 2022 in Berlin for
        # the first 36,000 posts a test process makes (a minute apart, they fell on the 9th
        # after 600, and tests reading that day's archive failed in long runs).
        "published_at": datetime(2022, 1, 10, 9, 0, tzinfo=UTC) - timedelta(seconds=number),
        **fields,
    }
    return db.call(
        posts.create_post,
        viewer=author.viewer,
        data=PostCreate.model_validate(data),
        zone=BERLIN,
        language="de",
    )


def add_post_of_an_older_schema(session: Session, author: Account, title: str, body: str) -> None:
    """A published post as the service writes it, but only in the columns that new_columns
    sets, for a database at an older migration: the service's own insert would name every
    column posts have now."""
    data = PostCreate(title=title, body=body, status=PostStatus.published)
    now = datetime.now(UTC)
    columns = posts.new_columns(
        data, slug=slugify(title), author_id=author.viewer.user_id, zone=BERLIN,
        language="de", likes=0, created_at=now, updated_at=now,
    )  # fmt: skip
    posts_then = table("posts", *(column(name) for name in columns))
    session.execute(insert(posts_then).values(columns))


def store_documents_of_an_older_schema(database: Database, zone: ZoneInfo) -> None:
    """Every post's document, stored as a release before document formats stored it (without
    one), for a database at an older migration: this release stores none there."""
    insert_document = text(
        "INSERT INTO post_documents (post_id, zone, document) VALUES (:post_id, :zone, :document)"
    ).bindparams(bindparam("document", type_=LargeBinary()))
    with database.session() as session:
        connection = session.connection()
        post_ids = list(connection.execute(text("SELECT id FROM posts")).scalars())
        made = documents.documents(connection, post_ids, zone)
        connection.execute(
            insert_document,
            [
                {"post_id": post_id, "zone": zone.key, "document": document}
                for post_id, document in made.items()
            ],
        )


@contextmanager
def token_kinds_of_an_older_schema(database: Database) -> Iterator[None]:
    """Tokens made and used in the block, on a database at a revision before token kinds,
    which this release writes and reads: the column is there for the block only, and gone
    after it, as that revision has it (its tokens are full ones once it is migrated)."""
    with database.engine.begin() as connection:
        connection.execute(
            text("ALTER TABLE api_tokens ADD COLUMN kind VARCHAR(16) DEFAULT 'full' NOT NULL")
        )
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("ALTER TABLE api_tokens DROP COLUMN kind"))


class _NoEvents:
    def run(self, _connection: Connection, _rows: list[dict[str, Any]]) -> None:
        pass


def without_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes record no events: for a database at a revision before the events table, which
    this release's writes would otherwise fail on."""
    monkeypatch.setattr(events_record, "_insert_for", lambda _dialect: _NoEvents())


@contextmanager
def with_version_columns(database: Database) -> Iterator[None]:
    """The posts' and sources' version columns, for the time this release's writes fill a
    database at a revision before them, and gone again afterwards: that revision's schema
    as it was, with the rows these writes made."""
    tables = ("posts", "sources")
    with database.engine.begin() as connection:
        for name in tables:
            connection.execute(
                text(f"ALTER TABLE {name} ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
            )
    yield
    with database.engine.begin() as connection:
        for name in tables:
            connection.execute(text(f"ALTER TABLE {name} DROP COLUMN version"))
