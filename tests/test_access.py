"""Who may do what: every /api/v1 operation against every kind of caller, as one table.

The expected statuses are the documented rules (README, "Roles"), not what the code happens
to do. Reads of published content are public; drafts (and scheduled posts) are seen only by
their author and by editors and admins, everyone else gets 404, never 403; writes without a
token get 401 with ``WWW-Authenticate: Bearer``; a revoked or expired token, or a locked
user's token, gets 401 wherever it is sent. A valid token works from a client locked out for
its failed authentications: only failures are limited.

All rows of one backend share one set of users, posts and sources (a "world"), built once
through the factories: a fresh app and database per row would take far too long. Rows that
write get a fresh target of their own, so no row depends on another.
"""

import dataclasses
import itertools
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session, SQLModel, col
from starlette.routing import NoMatchFound

from app.auth import service as auth
from app.auth.models import ApiToken, Role, User
from app.auth.schemas import TokenCreate, UserUpdate
from app.core.config import DEFAULT_SEARCH_LANGUAGES, Settings
from app.core.db import Database
from app.core.keys import PREVIEW_LINK_KEY, stored_key
from app.main import API_PREFIX, create_app
from app.models import metadata
from app.posts import service as post_service
from app.posts import trash
from app.posts.models import Post, Tag
from app.posts.schemas import PostPublic, PostUpdate
from app.posts.tags import slug_of
from app.previews.links import signature
from app.search.index import index_queued
from app.sources.models import Source
from app.sources.schemas import SourcePublic
from app.webhooks import service as webhooks
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import WebhookCreate
from tests.conftest import empty_all_tables
from tests.factories import BERLIN, Account, make_account, make_post, make_source

FUTURE = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
EVENTS = metadata.tables["events"]
_names = itertools.count(1)


class Caller(StrEnum):
    ANONYMOUS = "anonymous"
    OWNER = "owner"  # an author who owns the target (post, token, user)
    AUTHOR = "author"  # an author who does not
    EDITOR = "editor"
    ADMIN = "admin"
    REVOKED = "revoked"  # the token of an admin, revoked
    EXPIRED = "expired"  # the token of an admin, expired
    LOCKED = "locked"  # the token of a locked admin
    # An editor's valid token from a client locked out for failed authentications: gets what
    # the editor gets, so it has no column of its own in RULES.
    THROTTLED = "throttled"


TABLE_CALLERS = [caller for caller in Caller if caller is not Caller.THROTTLED]


# (route name, variant): the status each caller gets, in the order of Caller.
# _ marks "owner" where the operation has no owner: the plain author row covers it.
# Variants: the owner's published / draft / scheduled post; "publish" sends status=published
# for the owner's draft; "purge" deletes the owner's published post for good; restore_post
# brings back the owner's draft or published post from the trash; "drafts" lists with
# status=draft; for tokens, "own" is the caller's
# own and "other" the owner's (so the owner's row there is about its own tokens too).
_: None = None
# fmt: off
RULES: dict[tuple[str, str], tuple[int | None, ...]] = {
    #                                   anon owner author editor admin revoked expired locked
    ("list_posts", "published"):       (200,  _,   200,   200,   200,   401,   401,   401),
    ("list_posts", "drafts"):          (401,  _,   200,   200,   200,   401,   401,   401),
    ("search", "published"):           (200,  _,   200,   200,   200,   401,   401,   401),
    ("search", "drafts"):              (401,  _,   200,   200,   200,   401,   401,   401),
    ("create_post", "draft"):          (401,  _,   201,   201,   201,   401,   401,   401),
    ("create_post", "published"):      (401,  _,   403,   201,   201,   401,   401,   401),
    ("get_post", "published"):         (200, 200,  200,   200,   200,   401,   401,   401),
    ("get_post", "draft"):             (404, 200,  404,   200,   200,   401,   401,   401),
    ("get_post", "scheduled"):         (404, 200,  404,   200,   200,   401,   401,   401),
    ("update_post", "published"):      (401, 403,  403,   200,   200,   401,   401,   401),
    ("update_post", "draft"):          (401, 200,  404,   200,   200,   401,   401,   401),
    ("update_post", "scheduled"):      (401, 403,  404,   200,   200,   401,   401,   401),
    ("update_post", "publish"):        (401, 403,  404,   200,   200,   401,   401,   401),
    ("delete_post", "published"):      (401, 403,  403,   204,   204,   401,   401,   401),
    ("delete_post", "draft"):          (401, 204,  404,   204,   204,   401,   401,   401),
    ("delete_post", "scheduled"):      (401, 403,  404,   204,   204,   401,   401,   401),
    ("delete_post", "purge"):          (401, 403,  403,   204,   204,   401,   401,   401),
    ("restore_post", "draft"):         (401, 200,  404,   200,   200,   401,   401,   401),
    ("restore_post", "published"):     (401, 403,  404,   200,   200,   401,   401,   401),
    # A refused post in a bulk request is 409 naming it; an action refused outright is 403.
    ("bulk_change", "draft"):          (401, 200,  409,   200,   200,   401,   401,   401),
    ("bulk_change", "published"):      (401, 409,  409,   200,   200,   401,   401,   401),
    ("bulk_change", "publish"):        (401, 403,  403,   200,   200,   401,   401,   401),
    ("like_post", "published"):        (200, 200,  200,   200,   200,   401,   401,   401),
    ("like_post", "draft"):            (404, 404,  404,   404,   404,   401,   401,   401),
    ("like_post", "scheduled"):        (404, 404,  404,   404,   404,   401,   401,   401),
    ("create_preview_link", "published"): (401, 200, 200,  200,   200,   401,   401,   401),
    ("create_preview_link", "draft"):  (401, 200,  404,   200,   200,   401,   401,   401),
    ("create_preview_link", "scheduled"): (401, 200, 404,  200,   200,   401,   401,   401),
    ("preview_post", "draft"):         (200,  _,   200,   200,   200,   401,   401,   401),
    ("list_sources", ""):              (200,  _,   200,   200,   200,   401,   401,   401),
    ("create_source", ""):             (401,  _,   403,   201,   201,   401,   401,   401),
    ("match_source", ""):              (401,  _,   403,   200,   200,   401,   401,   401),
    ("export_database", ""):           (401,  _,   403,   403,   200,   401,   401,   401),
    ("get_source", ""):                (200,  _,   200,   200,   200,   401,   401,   401),
    ("update_source", ""):             (401,  _,   403,   200,   200,   401,   401,   401),
    ("delete_source", ""):             (401,  _,   403,   204,   204,   401,   401,   401),
    ("list_tags", ""):                 (200,  _,   200,   200,   200,   401,   401,   401),
    ("get_tag", ""):                   (200,  _,   200,   200,   200,   401,   401,   401),
    ("rename_tag", ""):                (401,  _,   403,   200,   200,   401,   401,   401),
    ("merge_tag", ""):                 (401,  _,   403,   200,   200,   401,   401,   401),
    ("archive_index", ""):             (200,  _,   200,   200,   200,   401,   401,   401),
    ("month_archive", ""):             (200,  _,   200,   200,   200,   401,   401,   401),
    ("day_archive", ""):               (200,  _,   200,   200,   200,   401,   401,   401),
    ("rss_feed", ""):                  (200,  _,   200,   200,   200,   401,   401,   401),
    ("atom_feed", ""):                 (200,  _,   200,   200,   200,   401,   401,   401),
    ("json_feed", ""):                 (200,  _,   200,   200,   200,   401,   401,   401),
    ("me", ""):                        (401,  _,   200,   200,   200,   401,   401,   401),
    ("list_tokens", "own"):            (401,  _,   200,   200,   200,   401,   401,   401),
    ("list_tokens", "other"):          (401, 200,  403,   403,   200,   401,   401,   401),
    ("create_token", "own"):           (401,  _,   201,   201,   201,   401,   401,   401),
    ("create_token", "other"):         (401, 201,  403,   403,   201,   401,   401,   401),
    ("revoke_token", "own"):           (401,  _,   204,   204,   204,   401,   401,   401),
    ("revoke_token", "other"):         (401, 204,  404,   404,   204,   401,   401,   401),
    ("list_users", ""):                (401,  _,   403,   403,   200,   401,   401,   401),
    ("create_user", ""):               (401,  _,   403,   403,   201,   401,   401,   401),
    ("update_user", ""):               (401, 403,  403,   403,   200,   401,   401,   401),
    ("audit_log", ""):                 (401,  _,   403,   403,   200,   401,   401,   401),
    ("list_revisions", "published"):   (401, 200,  403,   200,   200,   401,   401,   401),
    ("list_revisions", "draft"):       (401, 200,  404,   200,   200,   401,   401,   401),
    ("list_revisions", "scheduled"):   (401, 200,  404,   200,   200,   401,   401,   401),
    ("get_revision", "published"):     (401, 200,  403,   200,   200,   401,   401,   401),
    ("get_revision", "draft"):         (401, 200,  404,   200,   200,   401,   401,   401),
    ("get_revision", "scheduled"):     (401, 200,  404,   200,   200,   401,   401,   401),
    ("restore_revision", "published"): (401, 403,  403,   200,   200,   401,   401,   401),
    ("restore_revision", "draft"):     (401, 200,  404,   200,   200,   401,   401,   401),
    ("restore_revision", "scheduled"): (401, 403,  404,   200,   200,   401,   401,   401),
    ("create_webhook", ""):            (401,  _,   403,   403,   201,   401,   401,   401),
    ("list_webhooks", ""):             (401,  _,   403,   403,   200,   401,   401,   401),
    ("get_webhook", ""):               (401,  _,   403,   403,   200,   401,   401,   401),
    ("update_webhook", ""):            (401,  _,   403,   403,   200,   401,   401,   401),
    ("delete_webhook", ""):            (401,  _,   403,   403,   204,   401,   401,   401),
    ("list_deliveries", ""):           (401,  _,   403,   403,   200,   401,   401,   401),
    ("redeliver", ""):                 (401,  _,   403,   403,   202,   401,   401,   401),
    ("redeliver_failed", ""):          (401,  _,   403,   403,   202,   401,   401,   401),
}
# fmt: on


@dataclass(frozen=True)
class Row:
    route: str
    variant: str
    caller: Caller
    expected: int

    def __str__(self) -> str:
        return "/".join(part for part in (self.route, self.variant, self.caller) if part)


ROWS = [
    Row(route, variant, caller, status)
    for (route, variant), statuses in RULES.items()
    for caller, status in [
        *zip(TABLE_CALLERS, statuses, strict=True),
        (Caller.THROTTLED, statuses[TABLE_CALLERS.index(Caller.EDITOR)]),
    ]
    if status is not None
]


# -- the world every row of one backend shares ---------------------------------------------


@dataclass(frozen=True)
class Leak:
    """Posts of one source in March 2021 (and later), for the checks that nothing leaks."""

    source: SourcePublic
    public: PostPublic
    drafts: tuple[PostPublic, ...]
    scheduled: PostPublic


@dataclass(frozen=True)
class World:
    app: FastAPI
    client: TestClient
    throttled: TestClient  # a client locked out for its failed authentications
    db: Database
    accounts: dict[Caller, Account]
    source: SourcePublic
    posts: dict[str, PostPublic]  # the owner's "published", "draft" and "scheduled" post
    leak: Leak

    def url(self, route: str, **params: object) -> str:
        return self.app.url_path_for(route, **{name: str(v) for name, v in params.items()})

    def headers(self, caller: Caller, owner: Account | None = None) -> dict[str, str]:
        if caller is Caller.ANONYMOUS:
            return {}
        account = owner if caller is Caller.OWNER and owner else self.accounts[caller]
        return account.headers

    @property
    def owner(self) -> Account:
        return self.accounts[Caller.OWNER]


def as_editor(account: Account) -> Account:
    """The account with an editor's rights, to let the factories publish an author's post."""
    return dataclasses.replace(
        account, viewer=dataclasses.replace(account.viewer, role=Role.editor)
    )


def _only_token_id(session: Session, user_id: int) -> int:
    token_id = session.scalars(
        select(col(ApiToken.id)).where(col(ApiToken.user_id) == user_id)
    ).one()
    assert token_id is not None
    return token_id


def revoke(db: Database, account: Account) -> None:
    with db.session() as session:
        token_id = _only_token_id(session, account.viewer.user_id)
        auth.revoke_token(session, viewer=account.viewer, token_id=token_id)


def expire(db: Database, account: Account) -> None:
    with db.session() as session:
        session.execute(
            update(ApiToken)
            .where(col(ApiToken.user_id) == account.viewer.user_id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )


def lock(db: Database, account: Account) -> None:
    db.call(auth.update_user, user_id=account.viewer.user_id, data=UserUpdate(is_active=False))


def _build_world(app: FastAPI, client: TestClient, throttled: TestClient, db: Database) -> World:
    accounts = {
        Caller.OWNER: make_account(db, Role.author),
        Caller.AUTHOR: make_account(db, Role.author),
        Caller.EDITOR: make_account(db, Role.editor),
        Caller.ADMIN: make_account(db, Role.admin),
        Caller.REVOKED: make_account(db, Role.admin),
        Caller.EXPIRED: make_account(db, Role.admin),
        Caller.LOCKED: make_account(db, Role.admin),
    }
    revoke(db, accounts[Caller.REVOKED])
    expire(db, accounts[Caller.EXPIRED])
    lock(db, accounts[Caller.LOCKED])
    owner, editor = accounts[Caller.OWNER], accounts[Caller.EDITOR]
    accounts[Caller.THROTTLED] = editor
    for expected in (401, 429):
        failed = throttled.get(app.url_path_for("me"), headers={"Authorization": "Bearer psk_x"})
        assert failed.status_code == expected

    source = make_source(db)
    posts = {
        "published": make_post(db, as_editor(owner), source_id=source.id),
        "draft": make_post(db, owner, status="draft", published_at=None, source_id=source.id),
        "scheduled": make_post(db, as_editor(owner), published_at=FUTURE, source_id=source.id),
    }

    leak_source = make_source(db, name="Leckquelle")

    def leak_post(account: Account, status: str, published_at: datetime | None) -> PostPublic:
        return make_post(
            db,
            account,
            title=f"Leckprobe {next(_names)}",
            body="Hier steht das Geheimwort.",
            tags=["geheim"],
            source_id=leak_source.id,
            status=status,
            published_at=published_at,
        )

    leak = Leak(
        source=leak_source,
        public=leak_post(editor, "published", datetime(2021, 3, 15, 10, 0, tzinfo=UTC)),
        drafts=(
            # A draft with a date on the public post's day, one alone on its day, one alone in
            # its month, and one without any date.
            leak_post(owner, "draft", datetime(2021, 3, 15, 11, 0, tzinfo=UTC)),
            leak_post(editor, "draft", datetime(2021, 3, 20, 11, 0, tzinfo=UTC)),
            leak_post(editor, "draft", datetime(2021, 4, 2, 11, 0, tzinfo=UTC)),
            leak_post(owner, "draft", None),
        ),
        scheduled=leak_post(editor, "published", datetime(2099, 6, 1, 11, 0, tzinfo=UTC)),
    )
    # Searchable, as the worker makes every post within a second of its write.
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)
    return World(app, client, throttled, db, accounts, source, posts, leak)


@pytest.fixture(scope="module")
def world(session_database: Database, database_url: str) -> Iterator[World]:
    """One world per backend; the tables are emptied before and after it."""
    empty_all_tables(session_database)
    # Many rows authenticate with bad tokens on purpose: keep the per-client throttle away.
    settings = Settings(
        database_url=database_url,
        timezone="Europe/Berlin",
        language="de",
        auth_failure_limit=1_000_000,
    )
    app = create_app(settings=settings, database=session_database)
    # The same database through an app that locks a client out after one failure, for an
    # hour: longer than the rows of a backend take.
    strict = settings.model_copy(
        update={"auth_failure_limit": 1, "auth_failure_window_seconds": 3600}
    )
    strict_app = create_app(settings=strict, database=session_database)
    try:
        with (
            TestClient(app, raise_server_exceptions=False) as client,
            TestClient(
                strict_app, raise_server_exceptions=False, client=("198.51.100.66", 1)
            ) as throttled,
        ):
            yield _build_world(app, client, throttled, session_database)
    finally:
        empty_all_tables(session_database)


# -- one request per row: what it sends, to which target ------------------------------------


@dataclass
class Call:
    url: str
    params: dict[str, str | int] = field(default_factory=dict)
    body: dict[str, object] | None = None
    owner: Account | None = None  # when the row makes its own owner
    state: Callable[[], object] | None = None  # the data a refused request must leave alone


def _count(session: Session, model: type[SQLModel]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _post_state(session: Session, post_id: int) -> tuple[str, str, int] | None:
    post = session.get(Post, post_id)
    return None if post is None else (post.title, post.status, post.likes)


def _source_state(session: Session, source_id: int) -> str | None:
    source = session.get(Source, source_id)
    return None if source is None else source.description


def _token_state(session: Session, token_id: int) -> datetime | None:
    token = session.get(ApiToken, token_id)
    assert token is not None
    return token.revoked_at


def _user_state(session: Session, user_id: int) -> tuple[str, bool]:
    user = session.get(User, user_id)
    assert user is not None
    return user.role, user.is_active


def _plain(route: str, **path: object) -> Callable[[World, str, Caller], Call]:
    """A call with nothing to set up: ``route`` at these path parameters."""
    return lambda w, _variant, _caller: Call(w.url(route, **path))


def _counter(w: World, model: type[SQLModel]) -> Callable[[], object]:
    return lambda: w.db.call(_count, model=model)


def _post_target(w: World, variant: str) -> PostPublic:
    """A fresh post of the owner's, for a row that may change or delete it."""
    if variant in ("draft", "publish"):
        return make_post(w.db, w.owner, status="draft", published_at=None)
    if variant == "scheduled":
        return make_post(w.db, as_editor(w.owner), published_at=FUTURE)
    return make_post(w.db, as_editor(w.owner))


def _list_posts(w: World, variant: str, _caller: Caller) -> Call:
    return Call(w.url("list_posts"), params={"status": "draft"} if variant == "drafts" else {})


def _search(w: World, variant: str, _caller: Caller) -> Call:
    status = {"status": "draft"} if variant == "drafts" else {}
    return Call(w.url("search"), params={"q": "Beitrag", **status})


def _create_post(w: World, variant: str, _caller: Caller) -> Call:
    return Call(
        w.url("create_post"),
        body={"title": f"Neu {next(_names)}", "status": variant},
        state=_counter(w, Post),
    )


def _get_post(w: World, variant: str, _caller: Caller) -> Call:
    return Call(w.url("get_post", id_or_slug=w.posts[variant].id))


def _update_post(w: World, variant: str, _caller: Caller) -> Call:
    post = _post_target(w, variant)
    body: dict[str, object] = (
        {"status": "published"} if variant == "publish" else {"title": "Geänderter Titel"}
    )
    return Call(
        w.url("update_post", id_or_slug=post.id),
        body=body,
        state=lambda: w.db.call(_post_state, post_id=post.id),
    )


def _delete_post(w: World, variant: str, _caller: Caller) -> Call:
    post = _post_target(w, "published" if variant == "purge" else variant)
    return Call(
        w.url("delete_post", id_or_slug=post.id),
        params={"purge": "true"} if variant == "purge" else {},
        state=lambda: w.db.call(_post_state, post_id=post.id),
    )


def _restore_post(w: World, variant: str, _caller: Caller) -> Call:
    post = _post_target(w, variant)
    w.db.call(
        trash.trash_post,
        viewer=w.accounts[Caller.EDITOR].viewer,
        id_or_slug=str(post.id),
        zone=BERLIN,
    )
    return Call(
        w.url("restore_post", id_or_slug=post.id),
        state=lambda: w.db.call(_post_state, post_id=post.id),
    )


def _bulk_change(w: World, variant: str, _caller: Caller) -> Call:
    """The owner's draft or published post to the trash, or the owner's draft published."""
    post = _post_target(w, variant)
    action = "publish" if variant == "publish" else "trash"
    return Call(
        w.url("bulk_change"),
        body={"action": action, "ids": [post.id]},
        state=lambda: w.db.call(_post_state, post_id=post.id),
    )


def _like_post(w: World, variant: str, _caller: Caller) -> Call:
    post_id = w.posts[variant].id
    # Refused likes must not count; a second like of the same client may not count either,
    # so the state is only compared for refusals.
    return Call(
        w.url("like_post", id_or_slug=post_id),
        state=lambda: w.db.call(_post_state, post_id=post_id),
    )


def _create_preview_link(w: World, variant: str, _caller: Caller) -> Call:
    return Call(w.url("create_preview_link", id_or_slug=w.posts[variant].id))


def _preview_post(w: World, variant: str, _caller: Caller) -> Call:
    """A valid link to the owner's post: anyone reads it, unless a bad token comes along."""
    post_id = w.posts[variant].id
    key = w.db.call(stored_key, name=PREVIEW_LINK_KEY).encode()
    expires = int(time.time()) + 600
    return Call(
        w.url("preview_post", post_id=post_id),
        params={"expires": expires, "signature": signature(key, post_id, expires)},
    )


def _list_revisions(w: World, variant: str, _caller: Caller) -> Call:
    return Call(w.url("list_revisions", id_or_slug=w.posts[variant].id))


def _get_revision(w: World, variant: str, _caller: Caller) -> Call:
    return Call(w.url("get_revision", id_or_slug=w.posts[variant].id, number=1))


def _restore_revision(w: World, variant: str, _caller: Caller) -> Call:
    """A fresh post of the owner's, retitled since its first revision, which the row puts
    back."""
    post = _post_target(w, variant)
    w.db.call(
        post_service.update_post, viewer=as_editor(w.owner).viewer, id_or_slug=str(post.id),
        data=PostUpdate(title="Später geändert"), zone=BERLIN,
    )  # fmt: skip
    return Call(
        w.url("restore_revision", id_or_slug=post.id, number=1),
        state=lambda: w.db.call(_post_state, post_id=post.id),
    )


def _create_source(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(
        w.url("create_source"),
        body={"name": f"Neue Quelle {next(_names)}"},
        state=_counter(w, Source),
    )


def _match_source(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(
        w.url("match_source"),
        # Matching only reads: there is no state for a refusal to leave unchanged.
        body={"title": f"Etwas ({w.source.name})", "url": "https://example.com/a"},
    )


def _get_source(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(w.url("get_source", id_or_slug=w.source.slug))


def _update_source(w: World, _variant: str, _caller: Caller) -> Call:
    source = make_source(w.db)
    return Call(
        w.url("update_source", id_or_slug=source.id),
        body={"description": "Neu beschrieben."},
        state=lambda: w.db.call(_source_state, source_id=source.id),
    )


def _delete_source(w: World, _variant: str, _caller: Caller) -> Call:
    source = make_source(w.db)
    return Call(
        w.url("delete_source", id_or_slug=source.slug),
        state=lambda: w.db.call(_source_state, source_id=source.id),
    )


def _get_tag(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(w.url("get_tag", slug="geheim"))


def _tag_state(session: Session) -> list[tuple[str, str]]:
    return sorted((tag.slug, tag.name) for tag in session.scalars(select(Tag)))


def _published_tags(w: World) -> list[str]:
    """The slugs of two fresh tags that a published post carries, for a row that may rename
    or merge them."""
    names = [f"Schlagwort {next(_names)}", f"Schlagwort {next(_names)}"]
    make_post(w.db, w.accounts[Caller.EDITOR], tags=names)
    return [slug_of(name) for name in names]


def _rename_tag(w: World, _variant: str, _caller: Caller) -> Call:
    slug, _other = _published_tags(w)
    return Call(
        w.url("rename_tag", slug=slug),
        body={"name": f"Umbenannt {next(_names)}"},
        state=lambda: w.db.call(_tag_state),
    )


def _merge_tag(w: World, _variant: str, _caller: Caller) -> Call:
    slug, into = _published_tags(w)
    return Call(
        w.url("merge_tag", slug=slug),
        body={"into": into},
        state=lambda: w.db.call(_tag_state),
    )


def _list_tokens(w: World, variant: str, _caller: Caller) -> Call:
    params: dict[str, str | int] = {"user_id": w.owner.viewer.user_id} if variant == "other" else {}
    return Call(w.url("list_tokens"), params=params)


def _create_token(w: World, variant: str, _caller: Caller) -> Call:
    body: dict[str, object] = {"name": "Neu"}
    if variant == "other":
        body["user_id"] = w.owner.viewer.user_id
    return Call(w.url("create_token"), body=body, state=_counter(w, ApiToken))


def _revoke_token(w: World, variant: str, caller: Caller) -> Call:
    holder = w.accounts.get(caller, w.owner) if variant == "own" else w.owner
    token, _secret = w.db.call(auth.create_token, viewer=holder.viewer, data=TokenCreate())
    assert token.id is not None
    token_id = token.id
    return Call(
        w.url("revoke_token", token_id=token_id),
        state=lambda: w.db.call(_token_state, token_id=token_id),
    )


def _create_user(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(w.url("create_user"), body={"name": f"neu-{next(_names)}"}, state=_counter(w, User))


def _update_user(w: World, _variant: str, _caller: Caller) -> Call:
    # A user of its own, so that promoting it changes nothing for other rows; as "owner" it
    # tries to make itself an admin.
    user = make_account(w.db, Role.author)
    user_id = user.viewer.user_id
    return Call(
        w.url("update_user", user_id=user_id),
        body={"role": "admin"},
        owner=user,
        state=lambda: w.db.call(_user_state, user_id=user_id),
    )


def _new_webhook(w: World) -> int:
    """A fresh endpoint for every source event, made as an admin would."""
    made = w.db.call(
        webhooks.create_webhook,
        data=WebhookCreate(url="https://hooks.example/in", events=["source.*"]),
        allow_private=False,
    )
    return made.id


def _webhook_state(session: Session, endpoint_id: int) -> object:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    deliveries = session.scalars(
        select(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id)
    ).all()
    return (
        endpoint and endpoint.model_dump(),
        [delivery.model_dump() for delivery in deliveries],
    )


def _webhook_call(
    route: str, body: dict[str, object] | None = None
) -> Callable[[World, str, Caller], Call]:
    """A call on a fresh endpoint that has a (pending) delivery: a source made after it."""

    def build(w: World, _variant: str, _caller: Caller) -> Call:
        endpoint_id = _new_webhook(w)
        make_source(w.db)
        params: dict[str, object] = {"endpoint_id": endpoint_id}
        if route == "redeliver":
            params["delivery_id"] = w.db.call(_a_delivery, endpoint_id=endpoint_id)
        return Call(
            w.url(route, **params),
            body=body,
            state=lambda: w.db.call(_webhook_state, endpoint_id=endpoint_id),
        )

    return build


def _a_delivery(session: Session, endpoint_id: int) -> int:
    delivery_id = session.scalars(
        select(col(WebhookDelivery.id)).where(col(WebhookDelivery.endpoint_id) == endpoint_id)
    ).one()
    assert delivery_id is not None
    return delivery_id


def _create_webhook(w: World, _variant: str, _caller: Caller) -> Call:
    return Call(
        w.url("create_webhook"),
        body={"url": "https://hooks.example/new", "events": ["post.published"]},
        state=_counter(w, WebhookEndpoint),
    )


# Route name → its HTTP method and how a row builds its request.
CALLS: dict[str, tuple[str, Callable[[World, str, Caller], Call]]] = {
    "list_posts": ("GET", _list_posts),
    "search": ("GET", _search),
    "create_post": ("POST", _create_post),
    "get_post": ("GET", _get_post),
    "update_post": ("PATCH", _update_post),
    "delete_post": ("DELETE", _delete_post),
    "restore_post": ("POST", _restore_post),
    "bulk_change": ("POST", _bulk_change),
    "like_post": ("POST", _like_post),
    "create_preview_link": ("POST", _create_preview_link),
    "preview_post": ("GET", _preview_post),
    "list_sources": ("GET", _plain("list_sources")),
    "export_database": ("GET", _plain("export_database")),
    "create_source": ("POST", _create_source),
    "match_source": ("POST", _match_source),
    "get_source": ("GET", _get_source),
    "update_source": ("PATCH", _update_source),
    "delete_source": ("DELETE", _delete_source),
    "list_tags": ("GET", _plain("list_tags")),
    "get_tag": ("GET", _get_tag),
    "rename_tag": ("PATCH", _rename_tag),
    "merge_tag": ("POST", _merge_tag),
    "archive_index": ("GET", _plain("archive_index")),
    "month_archive": ("GET", _plain("month_archive", year=2022, month=1)),
    "day_archive": ("GET", _plain("day_archive", year=2022, month=1, day=10)),
    "rss_feed": ("GET", _plain("rss_feed")),
    "atom_feed": ("GET", _plain("atom_feed")),
    "json_feed": ("GET", _plain("json_feed")),
    "me": ("GET", _plain("me")),
    "list_tokens": ("GET", _list_tokens),
    "create_token": ("POST", _create_token),
    "revoke_token": ("DELETE", _revoke_token),
    "list_users": ("GET", _plain("list_users")),
    "create_user": ("POST", _create_user),
    "update_user": ("PATCH", _update_user),
    "audit_log": ("GET", _plain("audit_log")),
    "list_revisions": ("GET", _list_revisions),
    "get_revision": ("GET", _get_revision),
    "restore_revision": ("POST", _restore_revision),
    "create_webhook": ("POST", _create_webhook),
    "list_webhooks": ("GET", _plain("list_webhooks")),
    "get_webhook": ("GET", _webhook_call("get_webhook")),
    "update_webhook": ("PATCH", _webhook_call("update_webhook", {"description": "Neu"})),
    "delete_webhook": ("DELETE", _webhook_call("delete_webhook")),
    "list_deliveries": ("GET", _webhook_call("list_deliveries")),
    "redeliver": ("POST", _webhook_call("redeliver")),
    "redeliver_failed": (
        "POST",
        _webhook_call("redeliver_failed", {"since": "2020-01-01T00:00:00Z"}),
    ),
}
# Requests other than GET that record no event: a like is a reader's, not a change anyone
# audits, matching a source only reads, and a redelivery changes no content or endpoint.
EVENTLESS = {"like_post", "match_source", "redeliver", "redeliver_failed"}


def _route_names(app: FastAPI, method: str, path: str) -> list[str]:
    """The names in CALLS whose method is ``method`` and whose path template is ``path``."""
    placeholders = {name: f"{{{name}}}" for name in re.findall(r"{(\w+)}", path)}
    names = []
    for name, (route_method, _build) in CALLS.items():
        try:
            template = app.url_path_for(name, **placeholders)
        except NoMatchFound:
            continue
        if route_method == method and template == path:
            names.append(name)
    return names


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_access(world: World, row: Row) -> None:
    method, build = CALLS[row.route]
    call = build(world, row.variant, row.caller)
    before = call.state() if call.state else None
    client = world.throttled if row.caller is Caller.THROTTLED else world.client
    response = client.request(
        method,
        call.url,
        params=call.params,
        json=call.body,
        headers=world.headers(row.caller, call.owner),
    )
    assert response.status_code == row.expected, (
        f"{method} {call.url} as {row.caller}: expected {row.expected}, "
        f"got {response.status_code} {response.text[:300]}"
    )
    if response.status_code == 401:
        assert response.headers.get("www-authenticate") == "Bearer"
    if response.status_code >= 400 and call.state:
        assert call.state() == before, "a refused request changed data"
    if method != "GET" and row.route not in EVENTLESS:
        _check_events(world, row, call, response.headers["x-request-id"], response.status_code)


def _events_of(session: Session, request: str) -> list[tuple[str, str, int | None, int | None]]:
    rows = session.execute(
        select(EVENTS.c.action, EVENTS.c.actor_kind, EVENTS.c.actor_user_id,
               EVENTS.c.actor_token_id).where(EVENTS.c.request_id == request)
    )  # fmt: skip
    return [(row.action, row.actor_kind, row.actor_user_id, row.actor_token_id) for row in rows]


def _check_events(world: World, row: Row, call: Call, request: str, status: int) -> None:
    """Every write that went through left its events, done by the caller's token; one that
    was refused left none (a failed authentication is recorded as such)."""
    events = world.db.call(_events_of, request=request)
    changes = [event for event in events if event[0] != "auth.failed"]
    if status >= 400:
        assert changes == [], f"a refused write recorded {changes}"
        return
    assert changes, f"{row}: the write recorded no event"
    caller = row.caller if row.caller is not Caller.THROTTLED else Caller.EDITOR
    account = call.owner if caller is Caller.OWNER and call.owner else world.accounts[caller]
    for _action, kind, user_id, token_id in changes:
        assert (kind, user_id) == ("token", account.viewer.user_id)
        assert token_id is not None


def test_every_api_operation_has_access_rules() -> None:
    """A new endpoint fails here until the table says who may call it."""
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    operations = [
        (method.upper(), path)
        for path, path_item in app.openapi()["paths"].items()
        if path.startswith(f"{API_PREFIX}/")
        for method in path_item
    ]
    assert len(operations) >= len(CALLS), "the spec lists fewer operations than the table"
    ruled = {route for route, _variant in RULES}
    assert set(CALLS) == ruled
    found: set[str] = set()
    for method, path in operations:
        names = _route_names(app, method, path)
        assert len(names) == 1, f"{method} {path}: no access rules (or ambiguous: {names})"
        found.update(names)
    assert found == ruled, f"access rules for routes the spec does not list: {ruled - found}"
    everyone_but_owner = set(Caller) - {Caller.OWNER}
    for route in ruled:
        callers = {row.caller for row in ROWS if row.route == route}
        assert callers >= everyone_but_owner, f"{route}: no rule for {everyone_but_owner - callers}"


@pytest.mark.parametrize("caller", [Caller.ANONYMOUS, Caller.AUTHOR], ids=str)
def test_drafts_and_scheduled_posts_never_leak(world: World, caller: Caller) -> None:
    """Lists, search, archives, source and tag counts and likes show the caller published
    posts only."""
    client, leak, headers = world.client, world.leak, world.headers(caller)
    slug, public = leak.source.slug, leak.public.id
    hidden = {post.id for post in (*leak.drafts, leak.scheduled)}
    hidden |= {world.posts["draft"].id, world.posts["scheduled"].id}
    now = datetime.now(UTC)

    def get(route: str, params: Mapping[str, str | int] | None = None, **path: object) -> Any:
        response = client.get(world.url(route, **path), params=params, headers=headers)
        assert response.status_code == 200, f"{route} {params}: {response.text[:300]}"
        return response.json()

    # The editor sees the drafts, so the data is as this test means it to be.
    editor = world.headers(Caller.EDITOR)
    drafts = client.get(world.url("list_posts"), params={"status": "draft", "source": slug},
                        headers=editor).json()  # fmt: skip
    assert {post["id"] for post in drafts["items"]} == {post.id for post in leak.drafts}

    # Post lists: the default one, each sort, and every filter that could find a hidden post.
    for sort in ("-published_at", "published_at", "title"):
        page = get("list_posts", {"per_page": 100, "sort": sort})
        assert page["total"] == len(page["items"]), "the count includes posts not shown"
        for post in page["items"]:
            assert post["id"] not in hidden
            assert post["status"] == "published"
            assert datetime.fromisoformat(post["published_at"]) <= now
    for params in (
        {"q": "Geheimwort"},
        {"q": "leckprobe"},
        {"source": slug},
        {"tag": "geheim"},
        {"date": "2021-03-15"},
        {"after": "2021-03-01T00:00:00Z", "before": "2021-05-01T00:00:00Z"},
    ):
        page = get("list_posts", params)
        assert [post["id"] for post in page["items"]] == [public], params
        assert page["total"] == 1, params
        found = get("search", {"q": "Geheimwort", **params})
        assert [post["id"] for post in found["items"]] == [public], params
        assert found["total"] == 1, params
        assert found["facets"]["sources"] == [{"slug": slug, "name": leak.source.name, "count": 1}]
    drafts_response = client.get(world.url("list_posts"), params={"status": "draft"},
                                 headers=headers)  # fmt: skip
    if caller is Caller.ANONYMOUS:
        assert drafts_response.status_code == 401
    else:
        assert drafts_response.status_code == 200
        own = world.accounts[caller].viewer.user_id
        assert all(post["author"]["id"] == own for post in drafts_response.json()["items"])

    # Archives: counts, days, items and the neighbouring days and months.
    index = get("archive_index")
    assert all(year["year"] < FUTURE.year for year in index["years"])
    (year_2021,) = [year for year in index["years"] if year["year"] == 2021]
    assert year_2021["count"] == 1
    assert [(month["month"], month["count"]) for month in year_2021["months"]] == [(3, 1)]
    scoped = get("archive_index", {"source": slug})
    assert [(month["year"], month["month"], month["count"])
            for year in scoped["years"] for month in year["months"]] == [(2021, 3, 1)]  # fmt: skip
    for params in ({}, {"source": slug}):
        march = get("month_archive", params, year=2021, month=3)
        assert march["count"] == 1
        assert march["days"] == [{"date": "2021-03-15", "count": 1}]
        day = get("day_archive", params, year=2021, month=3, day=15)
        assert day["count"] == 1
        assert [post["id"] for post in day["items"]] == [public]
        for empty_day in (20, 21):  # 20 March holds only a draft
            nothing = get("day_archive", params, year=2021, month=3, day=empty_day)
            assert (nothing["count"], nothing["items"]) == (0, [])
        april = get("month_archive", params, year=2021, month=4)
        assert (april["count"], april["days"]) == (0, [])
    march = get("month_archive", {"source": slug}, year=2021, month=3)
    assert (march["previous"], march["next"]) == (None, None)
    day = get("day_archive", {"source": slug}, year=2021, month=3, day=15)
    assert (day["previous"], day["next"]) == (None, None)
    day_20 = get("day_archive", {"source": slug}, year=2021, month=3, day=20)
    assert day_20["previous"] == {"date": "2021-03-15", "count": 1}
    assert day_20["next"] is None
    april = get("month_archive", {"source": slug}, year=2021, month=4)
    assert (april["previous"]["month"], april["previous"]["count"]) == (3, 1)
    assert april["next"] is None

    # Sources count published posts only.
    assert get("get_source", id_or_slug=slug)["post_count"] == 1
    assert get("get_source", id_or_slug=world.source.id)["post_count"] == 1
    listed = {source["slug"]: source for source in get("list_sources", {"per_page": 100})["items"]}
    assert listed[slug]["post_count"] == 1
    assert listed[world.source.slug]["post_count"] == 1
    # Tags count published posts only.
    assert get("get_tag", slug="geheim")["count"] == 1
    tags = {tag["slug"]: tag for tag in get("list_tags", {"per_page": 100})["items"]}
    assert tags["geheim"]["count"] == 1

    # One by one, by id and slug, and likes: as if the hidden posts did not exist.
    every_hidden = (*leak.drafts, leak.scheduled, world.posts["draft"], world.posts["scheduled"])
    for post in every_hidden:
        for key in (post.id, post.slug):
            response = client.get(world.url("get_post", id_or_slug=key), headers=headers)
            assert response.status_code == 404, (post.status, key)
        like = client.post(world.url("like_post", id_or_slug=post.id), headers=headers)
        assert like.status_code == 404, post.status
    assert all(world.db.call(_post_state, post_id=post.id) == (post.title, post.status, 0)
               for post in every_hidden)  # fmt: skip
