"""The editorial workflow's rules, as one table: which caller may create, edit, hand in,
publish, schedule, trash, restore, purge and list posts in which status.

Callers: anonymous, the author who owns the post, another author, an editor, an admin.
Authors write drafts and pending posts of their own; editors and admins everything. A post a
caller may not see (another author's unpublished post) is 404 to them, never 403. A refused
write leaves the post as it was; an accepted one stores the status the row names.
"""

import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.direct_reads.statements import LIMIT, OFFSET
from app.main import create_app
from app.posts import queries, trash
from app.posts.models import Post
from app.posts.schemas import PostPublic, PostSort
from app.posts.visibility import published
from tests.conftest import empty_all_tables
from tests.factories import BERLIN, Account, make_account, make_post
from tests.test_title_order import _plan

API = "/api/v1"
FUTURE = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
_names = itertools.count(1)


class Caller(StrEnum):
    ANONYMOUS = "anonymous"
    OWNER = "owner"  # the author who owns the post
    AUTHOR = "author"  # another author
    EDITOR = "editor"
    ADMIN = "admin"


CALLERS = list(Caller)
_: None = None  # no owner: a new post, or a list
# fmt: off
# (operation, the target post's status): the HTTP status each caller gets, then the post's
# status after an accepted write.
RULES: dict[tuple[str, str], tuple[tuple[int | None, ...], str | None]] = {
    #                                   anon owner author editor admin   stored
    ("create", "draft"):              ((401,  _,   201,   201,   201), "draft"),
    ("create", "pending"):            ((401,  _,   201,   201,   201), "pending"),
    ("create", "published"):          ((401,  _,   403,   201,   201), "published"),
    ("create", "scheduled"):          ((401,  _,   403,   201,   201), "scheduled"),
    ("create", "published-ahead"):    ((401,  _,   403,   201,   201), "scheduled"),
    ("create", "trashed"):            ((401,  _,   422,   422,   422), None),
    ("edit", "draft"):                ((401, 200,  404,   200,   200), "draft"),
    ("edit", "pending"):              ((401, 200,  404,   200,   200), "pending"),
    ("edit", "scheduled"):            ((401, 403,  404,   200,   200), "scheduled"),
    ("edit", "published"):            ((401, 403,  403,   200,   200), "published"),
    ("edit", "trashed"):              ((401, 409,  404,   409,   409), None),
    ("hand-in", "draft"):             ((401, 200,  404,   200,   200), "pending"),
    ("send-back", "pending"):         ((401, 200,  404,   200,   200), "draft"),
    ("publish", "draft"):             ((401, 403,  404,   200,   200), "published"),
    ("publish", "pending"):           ((401, 403,  404,   200,   200), "published"),
    ("schedule", "pending"):          ((401, 403,  404,   200,   200), "scheduled"),
    ("unpublish", "published"):       ((401, 403,  403,   200,   200), "draft"),
    ("unpublish", "scheduled"):       ((401, 403,  404,   200,   200), "draft"),
    ("trash", "draft"):               ((401, 204,  404,   204,   204), "trashed"),
    ("trash", "pending"):             ((401, 204,  404,   204,   204), "trashed"),
    ("trash", "scheduled"):           ((401, 403,  404,   204,   204), "trashed"),
    ("trash", "published"):           ((401, 403,  403,   204,   204), "trashed"),
    ("trash", "trashed"):             ((401, 409,  404,   409,   409), None),
    ("restore", "trashed"):           ((401, 200,  404,   200,   200), "draft"),
    ("restore", "trashed-pending"):   ((401, 200,  404,   200,   200), "pending"),
    ("restore", "trashed-published"): ((401, 403,  404,   200,   200), "published"),
    ("restore", "draft"):             ((401, 409,  404,   409,   409), None),
    ("purge", "trashed"):             ((401, 403,  403,   204,   204), "gone"),
    ("purge", "published"):           ((401, 403,  403,   204,   204), "gone"),
    ("list", "published"):            ((200,  _,   200,   200,   200), None),
    ("list", "draft"):                ((401,  _,   200,   200,   200), None),
    ("list", "pending"):              ((401,  _,   200,   200,   200), None),
    ("list", "scheduled"):            ((401,  _,   200,   200,   200), None),
    ("list", "trashed"):              ((401,  _,   200,   200,   200), None),
}
# fmt: on


@dataclass(frozen=True)
class Row:
    operation: str
    target: str
    caller: Caller
    expected: int
    stored: str | None

    def __str__(self) -> str:
        return f"{self.operation}/{self.target}/{self.caller}"


ROWS = [
    Row(operation, target, caller, status, stored)
    for (operation, target), (statuses, stored) in RULES.items()
    for caller, status in zip(CALLERS, statuses, strict=True)
    if status is not None
]


@dataclass(frozen=True)
class World:
    client: TestClient
    db: Database
    accounts: dict[Caller, Account]

    def headers(self, caller: Caller) -> dict[str, str]:
        return {} if caller is Caller.ANONYMOUS else self.accounts[caller].headers

    @property
    def owner(self) -> Account:
        return self.accounts[Caller.OWNER]

    @property
    def editor(self) -> Account:
        return self.accounts[Caller.EDITOR]


def as_editor(account: Account) -> Account:
    """The account with an editor's rights, to let the factories publish an author's post."""
    return dataclasses.replace(
        account, viewer=dataclasses.replace(account.viewer, role=Role.editor)
    )


@pytest.fixture(scope="module")
def world(session_database: Database, database_url: str) -> Iterator[World]:
    empty_all_tables(session_database)
    settings = Settings(database_url=database_url, timezone="Europe/Berlin", language="de")
    app = create_app(settings=settings, database=session_database)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            accounts = {
                Caller.OWNER: make_account(session_database, Role.author),
                Caller.AUTHOR: make_account(session_database, Role.author),
                Caller.EDITOR: make_account(session_database, Role.editor),
                Caller.ADMIN: make_account(session_database, Role.admin),
            }
            yield World(client, session_database, accounts)
    finally:
        empty_all_tables(session_database)


def owned_post(w: World, status: str) -> PostPublic:
    """A fresh post of the owner's in ``status`` (``trashed-X``: trashed from X)."""
    title = f"Beitrag {next(_names)}"
    if status.startswith("trashed"):
        former = status.partition("-")[2] or "draft"
        post = owned_post(w, former)
        w.db.call(trash.trash_post, viewer=w.editor.viewer, id_or_slug=str(post.id), zone=BERLIN)
        return post
    if status in ("draft", "pending"):
        return make_post(w.db, w.owner, title=title, status=status, published_at=None)
    at = FUTURE if status == "scheduled" else datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
    post = make_post(w.db, as_editor(w.owner), title=title, published_at=at)
    assert post.status == status
    return post


def stored_state(w: World, post_id: int) -> tuple[str, str, str | None] | None:
    with w.db.session(write=False) as session:
        row = session.execute(
            select(col(Post.title), col(Post.status), col(Post.trashed_from)).where(
                col(Post.id) == post_id
            )
        ).one_or_none()
    return None if row is None else (row.title, row.status, row.trashed_from)


CREATE_BODIES: dict[str, dict[str, Any]] = {
    "draft": {"status": "draft"},
    "pending": {"status": "pending"},
    "published": {"status": "published"},
    "scheduled": {"status": "scheduled", "published_at": FUTURE.isoformat()},
    "published-ahead": {"status": "published", "published_at": FUTURE.isoformat()},
    "trashed": {"status": "trashed"},
}
PATCHES: dict[str, dict[str, Any]] = {
    "edit": {"title": "Geänderter Titel"},
    "hand-in": {"status": "pending"},
    "send-back": {"status": "draft"},
    "publish": {"status": "published"},
    "schedule": {"status": "scheduled", "published_at": FUTURE.isoformat()},
    "unpublish": {"status": "draft"},
}


def _send(w: World, row: Row, post: PostPublic | None) -> Any:
    client, headers = w.client, w.headers(row.caller)
    if row.operation == "create":
        body = {"title": f"Neu {next(_names)}", **CREATE_BODIES[row.target]}
        return client.post(f"{API}/posts", json=body, headers=headers)
    if row.operation == "list":
        return client.get(f"{API}/posts", params={"status": row.target}, headers=headers)
    assert post is not None
    url = f"{API}/posts/{post.id}"
    if row.operation in PATCHES:
        return client.patch(url, json=PATCHES[row.operation], headers=headers)
    if row.operation == "trash":
        return client.delete(url, headers=headers)
    if row.operation == "purge":
        return client.delete(url, params={"purge": "true"}, headers=headers)
    assert row.operation == "restore"
    return client.post(f"{url}/restore", headers=headers)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_the_workflow_rules(world: World, row: Row) -> None:
    post = None if row.operation in ("create", "list") else owned_post(world, row.target)
    before = stored_state(world, post.id) if post else None
    response = _send(world, row, post)
    assert response.status_code == row.expected, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
        if post is not None:
            assert stored_state(world, post.id) == before  # a refused write changes nothing
        return
    if row.operation == "create":
        assert response.json()["status"] == row.stored
    elif post is not None:
        after = stored_state(world, post.id)
        assert (after[1] if after else "gone") == row.stored
        if row.operation in PATCHES or row.operation == "restore":
            assert response.json()["status"] == row.stored


def test_authors_list_only_their_own_unpublished_posts(world: World) -> None:
    mine = {status: owned_post(world, status).id for status in ("draft", "pending", "trashed")}
    theirs = make_post(world.db, world.editor, status="pending", published_at=None)
    scheduled = owned_post(world, "scheduled").id

    def listed(caller: Caller, *statuses: str) -> set[int]:
        response = world.client.get(
            f"{API}/posts",
            params={"status": list(statuses), "per_page": 100},
            headers=world.headers(caller),
        )
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    pending_and_drafts = listed(Caller.OWNER, "draft", "pending")
    assert {mine["draft"], mine["pending"]} <= pending_and_drafts
    assert theirs.id not in pending_and_drafts
    assert listed(Caller.AUTHOR, "draft", "pending").isdisjoint(mine.values())
    editor_sees = listed(Caller.EDITOR, "draft", "pending")
    assert {mine["draft"], mine["pending"], theirs.id} <= editor_sees
    # The trash only when asked for; each list holds only the statuses asked for.
    assert mine["trashed"] not in editor_sees | listed(Caller.EDITOR, "published")
    assert mine["trashed"] in listed(Caller.EDITOR, "trashed")
    assert mine["trashed"] in listed(Caller.OWNER, "trashed")
    assert scheduled in listed(Caller.EDITOR, "scheduled")
    assert scheduled not in listed(Caller.EDITOR, "published")
    response = world.client.get(
        f"{API}/posts",
        params={"status": ["draft", "scheduled"]},
        headers=world.headers(Caller.EDITOR),
    )
    assert {item["status"] for item in response.json()["items"]} <= {"draft", "scheduled"}


def test_scheduling_needs_a_time_and_one_past_publishes_at_once(world: World) -> None:
    headers = world.headers(Caller.EDITOR)
    undated = world.client.post(
        f"{API}/posts", json={"title": "Ohne Zeit", "status": "scheduled"}, headers=headers
    )
    assert undated.status_code == 422
    assert "published_at" in undated.json()["detail"]
    past = datetime.now(UTC) - timedelta(hours=1)
    at_once = world.client.post(
        f"{API}/posts",
        json={"title": "Schon fällig", "status": "scheduled", "published_at": past.isoformat()},
        headers=headers,
    )
    assert at_once.status_code == 201, at_once.text
    assert at_once.json()["status"] == "published"
    assert world.client.get(f"{API}/posts/{at_once.json()['id']}").status_code == 200
    # A published post moved to a time ahead is scheduled again: off the public views.
    moved = world.client.patch(
        f"{API}/posts/{at_once.json()['id']}",
        json={"published_at": FUTURE.isoformat()},
        headers=headers,
    )
    assert moved.json()["status"] == "scheduled"
    assert world.client.get(f"{API}/posts/{at_once.json()['id']}").status_code == 404


@pytest.mark.parametrize("sort", [PostSort.newest, PostSort.oldest])
def test_the_public_list_walks_the_status_index_in_its_order(db: Database, sort: PostSort) -> None:
    """The public filter is the status alone: a list newest (or oldest) first walks
    (status, published_at, id) in its order, as before statuses were stored."""
    order = queries.sort_order(sort, may_include_drafts=False)
    ids = select(col(Post.id)).where(published()).order_by(*order).limit(LIMIT).offset(OFFSET)
    walk = _plan(db, ids)
    assert "ix_posts_status_published_at" in walk, walk
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in walk, walk
    else:
        assert "Sort" not in walk, walk


def test_the_publishers_question_is_a_range_of_a_status_index(db: Database) -> None:
    due = select(col(Post.id)).where(
        col(Post.status) == "scheduled", col(Post.published_at) <= datetime.now(UTC)
    )
    walk = _plan(db, due.limit(1))
    # An index led by the status (on an empty table PostgreSQL may take either such one).
    assert "ix_posts_status_" in walk, walk
    assert "SCAN posts\n" not in f"{walk}\n", walk
    assert "Seq Scan" not in walk, walk
