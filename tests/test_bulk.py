"""POST /posts/bulk: one action on many posts, all or nothing."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.models import metadata
from tests.counting import count_queries
from tests.factories import Account, make_account, make_post, tagged

API = "/api/v1"
BULK = f"{API}/posts/bulk"
POSTS = metadata.tables["posts"]
EVENTS = metadata.tables["events"]
PAST = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)


def _drafts(db: Database, account: Account, count: int) -> list[int]:
    return [
        make_post(db, account, title=f"Entwurf {n}", status="draft", published_at=None).id
        for n in range(count)
    ]


def _states(db: Database, ids: list[int]) -> dict[int, tuple[str, int]]:
    """Each post's status and version."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(POSTS.c.id, POSTS.c.status, POSTS.c.version).where(POSTS.c.id.in_(ids))
        )
        return {row.id: (row.status, row.version) for row in rows}


def _events(db: Database) -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(EVENTS)) or 0


def _bulk(client: TestClient, account: Account, **body: Any) -> Any:
    return client.post(BULK, headers=account.headers, json=body)


def test_publishing_many_drafts_publishes_each_with_its_events(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    ids = _drafts(db, editor, 3)
    before = _states(db, ids)

    response = _bulk(client, editor, action="publish", ids=ids)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["id"] for item in items] == ids
    assert {item["status"] for item in items} == {"published"}
    after = _states(db, ids)
    for post_id, item in zip(ids, items, strict=True):
        assert after[post_id] == ("published", before[post_id][1] + 1)
        # The ETag each item carries is the one a writer's read gives now.
        read = client.get(f"{API}/posts/{post_id}", headers=editor.headers)
        assert read.headers["etag"] == item["etag"]
        assert client.get(f"{API}/posts/{post_id}").status_code == 200  # public now
    with db.engine.connect() as connection:
        actions = connection.execute(
            select(EVENTS.c.action, EVENTS.c.object_id).where(EVENTS.c.object_id.in_(ids))
        ).all()
    for post_id in ids:
        assert ("post.updated", post_id) in actions
        assert ("post.published", post_id) in actions


def test_one_stale_item_refuses_all_and_changes_nothing(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    ids = _drafts(db, editor, 3)
    etags = {
        str(post_id): client.get(f"{API}/posts/{post_id}", headers=editor.headers).headers["etag"]
        for post_id in ids
    }
    # Someone else changes the second post after those reads.
    changed = client.patch(f"{API}/posts/{ids[1]}", headers=editor.headers, json={"title": "Neu"})
    assert changed.status_code == 200
    before, events = _states(db, ids), _events(db)

    response = _bulk(client, editor, action="trash", ids=ids, if_match=etags)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [item["id"] for item in problem["refused"]] == [ids[1]]
    assert problem["refused"][0]["status"] == 412
    assert "nothing was changed" in problem["detail"]
    assert _states(db, ids) == before
    assert _events(db) == events

    etags[str(ids[1])] = changed.headers["etag"]
    again = _bulk(client, editor, action="trash", ids=ids, if_match=etags)
    assert again.status_code == 200, again.text
    assert {state for state, _ in _states(db, ids).values()} == {"trashed"}


def test_every_refused_item_is_named(client: TestClient, db: Database) -> None:
    editor, author, other = make_account(db), make_account(db, Role.author), make_account(db)
    own = _drafts(db, author, 2)
    published = make_post(db, other, title="Veröffentlicht", published_at=PAST).id
    foreign_draft = _drafts(db, other, 1)[0]
    missing = max([*own, published, foreign_draft]) + 100
    ids = [*own, published, foreign_draft, missing]
    before = _states(db, ids)

    response = _bulk(client, author, action="trash", ids=ids)
    assert response.status_code == 409, response.text
    refused = {item["id"]: item["status"] for item in response.json()["refused"]}
    # Another author's published post: seen but not theirs to change; another's draft and
    # a post that does not exist: not known to them.
    assert refused == {published: 403, foreign_draft: 404, missing: 404}
    assert _states(db, ids) == before

    assert _bulk(client, author, action="trash", ids=own).status_code == 200
    assert _bulk(client, editor, action="restore", ids=own).status_code == 200
    assert {state for state, _ in _states(db, own).values()} == {"draft"}


def test_an_author_may_not_publish_or_schedule_in_bulk(client: TestClient, db: Database) -> None:
    author = make_account(db, Role.author)
    ids = _drafts(db, author, 2)
    before = _states(db, ids)
    for body in (
        {"action": "publish"},
        {"action": "schedule", "published_at": "2099-01-01T08:00:00Z"},
    ):
        response = _bulk(client, author, ids=ids, **body)
        assert response.status_code == 403, response.text
    assert _states(db, ids) == before


def test_scheduling_unpublishing_and_restoring(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    ids = _drafts(db, editor, 2)
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    scheduled = _bulk(client, editor, action="schedule", ids=ids, published_at=later)
    assert scheduled.status_code == 200, scheduled.text
    assert {item["status"] for item in scheduled.json()["items"]} == {"scheduled"}
    assert client.get(f"{API}/posts/{ids[0]}").status_code == 404

    published = make_post(db, editor, title="Öffentlich", published_at=PAST).id
    assert _bulk(client, editor, action="unpublish", ids=[published]).status_code == 200
    assert client.get(f"{API}/posts/{published}").status_code == 404
    assert _states(db, [published])[published][0] == "draft"

    public = make_post(db, editor, title="Bleibt", published_at=PAST).id
    assert _bulk(client, editor, action="trash", ids=[public]).status_code == 200
    assert client.get(f"{API}/posts/{public}").status_code == 404
    restored = _bulk(client, editor, action="restore", ids=[public])
    assert restored.json()["items"][0]["status"] == "published"
    assert client.get(f"{API}/posts/{public}").status_code == 200


def test_retag_adds_and_removes_tags_and_steps_each_version_once(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    first = make_post(db, editor, title="Eins", tags=["Alt", "Bleibt"]).id
    second = make_post(db, editor, title="Zwei", tags=["Neu"]).id
    before = _states(db, [first, second])
    response = _bulk(
        client, editor, action="retag", ids=[first, second], add_tags=["Neu", "Ökonomie"],
        remove_tags=["alt"],
    )  # fmt: skip
    assert response.status_code == 200, response.text
    tags = {
        post_id: client.get(f"{API}/posts/{post_id}", headers=editor.headers).json()["tags"]
        for post_id in (first, second)
    }
    assert tags[first] == tagged("Bleibt", "Neu", "Ökonomie")
    assert tags[second] == tagged("Neu", "Ökonomie")
    after = _states(db, [first, second])
    assert all(after[key][1] == before[key][1] + 1 for key in (first, second))

    full = make_post(db, editor, title="Voll", tags=[f"Tag {n}" for n in range(30)]).id
    over = _bulk(client, editor, action="retag", ids=[first, full], add_tags=["Einer zu viel"])
    assert over.status_code == 409
    assert [(item["id"], item["status"]) for item in over.json()["refused"]] == [(full, 422)]


def test_malformed_requests_are_422(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    ids = _drafts(db, editor, 1)
    for body in (
        {"action": "publish", "ids": []},
        {"action": "publish", "ids": list(range(1, 102))},
        {"action": "publish", "ids": [ids[0], ids[0]]},
        {"action": "schedule", "ids": ids},
        {"action": "publish", "ids": ids, "published_at": "2099-01-01T08:00:00Z"},
        {"action": "retag", "ids": ids},
        {"action": "trash", "ids": ids, "add_tags": ["x"]},
        {"action": "trash", "ids": ids, "if_match": {"999": '"v1"'}},
        {"action": "delete", "ids": ids},
    ):
        response = client.post(BULK, headers=editor.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]
    assert client.post(BULK, json={"action": "trash", "ids": ids}).status_code == 401


def test_a_server_requiring_if_match_wants_each_posts_etag(
    db: Database, settings: Settings
) -> None:
    app = create_app(settings=settings.model_copy(update={"require_if_match": True}), database=db)
    editor = make_account(db)
    ids = _drafts(db, editor, 2)
    with TestClient(app) as client:
        etag = client.get(f"{API}/posts/{ids[0]}", headers=editor.headers).headers["etag"]
        partial = _bulk(client, editor, action="trash", ids=ids, if_match={str(ids[0]): etag})
        assert partial.status_code == 428, partial.text
        assert str(ids[1]) in partial.json()["detail"]
        etags = {
            str(post_id): client.get(f"{API}/posts/{post_id}", headers=editor.headers).headers[
                "etag"
            ]
            for post_id in ids
        }
        assert _bulk(client, editor, action="trash", ids=ids, if_match=etags).status_code == 200


def test_a_hundred_posts_take_as_many_statements_as_two(client: TestClient, db: Database) -> None:
    editor = make_account(db)

    def statements(count: int) -> int:
        ids = _drafts(db, editor, count)
        with count_queries(db) as sent:
            response = _bulk(client, editor, action="retag", ids=ids, add_tags=["Massen"])
            assert response.status_code == 200, response.text
        return len(sent)

    statements(2)  # the first makes the tag, and notes the token's use
    assert statements(100) == statements(2)
