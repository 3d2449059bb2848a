"""Write hooks: every write path runs the registered hooks, in their order, inside (before
commit) or after its transaction, and a failing before-commit hook undoes the whole write.

Each test opens the database through the composition root, as the app does, and adds hooks
through the registry, as a feature that keeps more derived state would.
"""

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, func, select
from sqlmodel import Session

from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.content_version import read_version
from app.derived.root import open_database
from app.posts.queries import DOCUMENTS, POSTS
from app.transfer import restorer
from app.transfer.exporter import Export
from tests.conftest import FreshDatabase
from tests.factories import make_account, make_post


class Refused(Exception):
    pass


@pytest.fixture
def hooked(db: Database, database_url: str) -> Iterator[Database]:
    """The test database opened again through the root, so the hooks a test adds stay its own
    (``db`` empties the tables afterwards)."""
    database = open_database(database_url)
    yield database
    database.dispose()


def _posts(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(POSTS)).scalar_one())


def _record_hooks(database: Database, calls: list[str]) -> None:
    """Two before-commit and one after-commit hook, registered out of their order; each
    before-commit hook notes how many posts its connection sees."""

    def hook(name: str) -> Callable[[Connection], None]:
        return lambda connection: calls.append(f"{name}:{_posts(connection)}")

    database.hooks.add_before_commit("second", hook("second"), order=20_000)
    database.hooks.add_before_commit("first", hook("first"), order=10_000)
    database.hooks.add_after_commit("after", lambda: calls.append("after"), order=10_000)


def test_hooks_run_in_their_order_inside_a_session_write(hooked: Database) -> None:
    calls: list[str] = []
    _record_hooks(hooked, calls)
    assert hooked.hooks.before_commit == (
        "post revisions",
        "post documents",
        "first",
        "second",
        "jobs queued",
    )

    editor = make_account(hooked)
    calls.clear()
    post = make_post(hooked, editor)

    # Both see the post before it commits, in order, and after the documents hook stored its
    # document; the after-commit hook runs once, last.
    assert calls == ["first:1", "second:1", "after"]
    with hooked.engine.connect() as connection:
        stored = connection.execute(select(DOCUMENTS.c.post_id)).scalars().all()
    assert stored == [post.id]


def test_releasing_a_savepoint_runs_no_hook(hooked: Database) -> None:
    calls: list[str] = []
    _record_hooks(hooked, calls)

    def two_savepoints(session: Session) -> None:
        for _ in range(2):
            with session.begin_nested():
                session.connection()

    hooked.call(two_savepoints)
    assert calls == ["first:0", "second:0", "after"]


def test_hooks_run_in_their_order_on_a_restore(
    db: Database, backend: str, fresh_database_url: FreshDatabase
) -> None:
    """A restore writes on a connection of its own, not through a session."""
    editor = make_account(db)
    make_post(db, editor)
    make_post(db, editor)
    document = b"".join(Export(db))
    url = fresh_database_url(backend)
    upgrade(url)
    target = open_database(url)
    try:
        calls: list[str] = []
        _record_hooks(target, calls)
        restorer.restore(target, io.BytesIO(document))
        assert calls == ["first:2", "second:2", "after"]
    finally:
        target.dispose()


def test_no_hook_runs_after_a_rollback(hooked: Database) -> None:
    calls: list[str] = []
    _record_hooks(hooked, calls)

    def fails(session: Session) -> None:
        raise Refused

    with pytest.raises(Refused):
        hooked.call(fails)
    with pytest.raises(Refused), hooked.write_connection():
        raise Refused
    assert calls == []


def test_a_failing_before_commit_hook_leaves_nothing_written(
    hooked: Database, backend: str, fresh_database_url: FreshDatabase
) -> None:
    editor = make_account(hooked)
    with hooked.engine.connect() as connection:
        version = read_version(connection)
    calls: list[str] = []

    def refuse(connection: Connection) -> None:
        raise Refused

    hooked.hooks.add_before_commit("refuse", refuse, order=10_000)
    hooked.hooks.add_after_commit("after", lambda: calls.append("after"), order=10_000)

    with pytest.raises(Refused):
        make_post(hooked, editor)
    with hooked.engine.connect() as connection:
        assert _posts(connection) == 0
        assert read_version(connection) == version
        assert connection.execute(select(DOCUMENTS.c.post_id)).first() is None
    assert calls == []

    # The same on a restore: the target stays empty, so it can be restored into again.
    url = fresh_database_url(backend)
    upgrade(url)
    target = open_database(url)
    try:
        document = b"".join(Export(hooked))
        target.hooks.add_before_commit("refuse", refuse, order=10_000)
        with pytest.raises(Refused):
            restorer.restore(target, io.BytesIO(document))
        with target.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(POSTS)).scalar_one() == 0
    finally:
        target.dispose()


def test_a_failing_after_commit_hook_keeps_the_write(
    hooked: Database, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken() -> None:
        raise Refused

    hooked.hooks.add_after_commit("broken", broken, order=10_000)
    hooked.hooks.add_after_commit("later", lambda: calls.append("later"), order=20_000)
    editor = make_account(hooked)
    with caplog.at_level(logging.ERROR, logger="presseschau"):
        make_post(hooked, editor)

    with hooked.engine.connect() as connection:
        assert _posts(connection) == 1
    assert calls == ["later", "later"]  # the account's write, then the post's
    assert "after-commit hook 'broken' failed" in caplog.text


def test_a_hook_name_is_registered_once(hooked: Database) -> None:
    with pytest.raises(ValueError, match="post documents"):
        hooked.hooks.add_before_commit("post documents", lambda connection: None, order=1)
