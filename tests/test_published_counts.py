"""Public totals come from per-source counts that database triggers keep: whoever writes, and
however, the counts stay those of the published posts themselves, and totals leave out every
other status (drafts, pending, scheduled and trashed posts)."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, insert, text, update
from sqlmodel import col

from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.main import create_app
from app.posts.models import Post
from tests.conftest import FreshDatabase
from tests.factories import make_account, make_post, make_source

API = "/api/v1"
BEFORE_COUNTS = "4b9e0c7d2a61"  # the revision before published_counts
PAST = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
FUTURE = datetime.now(UTC) + timedelta(days=30)
STATUSES = ["published", "published", "draft", "pending", "scheduled", "trashed"]


def recounted(connection: Connection) -> dict[int, int]:
    """What the counts must be: published posts, per source (0: none)."""
    rows = connection.execute(
        text(
            "SELECT coalesce(source_id, 0), count(*) FROM posts WHERE status = 'published' "
            "GROUP BY coalesce(source_id, 0)"
        )
    )
    return {key: count for key, count in rows}  # noqa: C416


def kept(connection: Connection) -> dict[int, int]:
    rows = connection.execute(text("SELECT source_key, posts FROM published_counts"))
    return {key: count for key, count in rows if count != 0}


def _new_post(rng: random.Random, number: int, author_id: int, sources: list[int | None]) -> Any:
    return insert(Post).values(
        slug=f"post-{number}",
        title=f"Post {number}",
        status=rng.choice(STATUSES),
        published_at=rng.choice([None, PAST + timedelta(hours=number), FUTURE]),
        source_id=rng.choice(sources),
        author_id=author_id,
        language="de",
        body="",
        body_html="",
        excerpt="",
        likes=0,
        created_at=PAST,
        updated_at=PAST,
    )


def _random_change(rng: random.Random, post_id: int, sources: list[int | None]) -> Any:
    changes: list[dict[str, Any]] = [
        {"status": rng.choice(STATUSES)},
        {"published_at": rng.choice([None, PAST, FUTURE])},
        {"source_id": rng.choice(sources)},
        {"status": "published", "source_id": rng.choice(sources)},
        {"title": "Unchanged count"},
    ]
    return update(Post).where(col(Post.id) == post_id).values(rng.choice(changes))


def test_counts_follow_every_kind_of_write(db: Database) -> None:
    author = make_account(db)
    sources: list[int | None] = [None, *(make_source(db).id for _ in range(3))]
    rng = random.Random(20261125)
    with db.engine.begin() as connection:
        for number in range(300):
            ids: list[int] = list(connection.scalars(text("SELECT id FROM posts")))
            roll = rng.random()
            if roll < 0.4 or not ids:
                connection.execute(_new_post(rng, number, author.viewer.user_id, sources))
            elif roll < 0.85:
                connection.execute(_random_change(rng, rng.choice(ids), sources))
            elif roll < 0.95:
                connection.execute(delete(Post).where(col(Post.id) == rng.choice(ids)))
            else:  # many rows in one statement
                connection.execute(
                    update(Post).where(col(Post.id) % 3 == number % 3).values(
                        source_id=rng.choice(sources), status=rng.choice(["published", "draft"])
                    )
                )  # fmt: skip
            if number % 25 == 0:
                assert kept(connection) == recounted(connection)
        assert kept(connection) == recounted(connection)
        assert sum(recounted(connection).values()) > 10  # the walk left something to count


def test_a_rolled_back_write_leaves_the_counts_as_they_were(db: Database) -> None:
    editor = make_account(db)
    source = make_source(db)
    make_post(db, editor, source_id=source.id)
    with db.engine.connect() as connection:
        before = kept(connection)
        connection.execute(delete(Post))
        assert kept(connection) == {}
        connection.rollback()
        assert kept(connection) == before == {source.id: 1}


def test_emptying_posts_empties_the_counts(db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor, source_id=make_source(db).id)
    make_post(db, editor)
    with db.engine.begin() as connection:
        assert kept(connection) != {}
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE posts CASCADE"))
        else:
            connection.execute(text("DELETE FROM posts"))
        assert kept(connection) == {}


def _totals(settings: Settings, slugs: list[str]) -> list[dict[str, int]]:
    """The public totals of all posts and of each source, as lists and the source list give
    them: once from the direct reads, once from the framework path, each on a fresh app."""
    seen = []
    for direct_reads in (True, False):
        database = open_database(settings.database_url)
        app = create_app(
            settings=settings.model_copy(update={"direct_reads": direct_reads}), database=database
        )
        with TestClient(app) as client:
            totals = {"all": client.get(f"{API}/posts").json()["total"]}
            # A narrowed list counts its own posts, not the kept per-source counts.
            tagged = client.get(f"{API}/posts", params={"tag": "lage"})
            totals["tagged"] = tagged.json()["total"]
            for slug in slugs:
                listed = client.get(f"{API}/posts", params={"source": slug})
                totals[slug] = listed.json()["total"]
            for source in client.get(f"{API}/sources").json()["items"]:
                assert source["post_count"] == totals[source["slug"]], source["slug"]
        database.dispose()
        seen.append(totals)
    return seen


def test_public_totals_leave_out_drafts_and_later_posts(
    settings: Settings, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    first, second = make_source(db), make_source(db)
    one = [
        make_post(db, editor, source_id=first.id, tags=["Lage"] if n == 0 else []) for n in range(3)
    ]
    make_post(db, editor, source_id=first.id, published_at=FUTURE.isoformat())
    draft = make_post(db, editor, source_id=first.id, status="draft")
    make_post(db, editor, source_id=second.id)
    make_post(db, editor)
    make_post(db, editor, published_at=FUTURE.isoformat())
    slugs = [first.slug, second.slug]
    assert _totals(settings, slugs) == 2 * [{"all": 5, "tagged": 1, first.slug: 3, second.slug: 1}]

    def changed(method: str, post_id: int | None, **json: Any) -> None:
        response = client.request(
            method, f"{API}/posts/{post_id}", headers=editor.headers, json=json or None
        )
        assert response.status_code in (200, 204), response.text

    changed("PATCH", one[0].id, source_id=second.id)
    assert _totals(settings, slugs) == 2 * [{"all": 5, "tagged": 1, first.slug: 2, second.slug: 2}]
    changed("PATCH", draft.id, status="published")
    changed("DELETE", one[1].id)  # to the trash: out of every count
    assert _totals(settings, slugs) == 2 * [{"all": 5, "tagged": 1, first.slug: 2, second.slug: 2}]
    changed("PATCH", one[2].id, status="draft")
    assert _totals(settings, slugs) == 2 * [{"all": 4, "tagged": 1, first.slug: 1, second.slug: 2}]


def test_the_migration_counts_the_posts_already_there(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        editor = make_account(database)
        source = make_source(database)
        for _ in range(3):
            make_post(database, editor, source_id=source.id)
        make_post(database, editor)
        make_post(database, editor, status="draft")
        downgrade(url, BEFORE_COUNTS)
        upgrade(url)
        with database.engine.connect() as connection:
            assert kept(connection) == recounted(connection) == {source.id: 3, 0: 1}
    finally:
        database.dispose()
