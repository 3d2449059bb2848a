"""Preview links: a signed URL that reads one post as it is now, without a token, until it
expires; never kept by the response cache, never taken for another post."""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import delete
from sqlmodel import Session, col

from app.auth.models import Role
from app.core.db import Database
from app.core.keys import PREVIEW_LINK_KEY, stored_key
from app.posts.models import Post
from app.previews.links import signature
from tests.factories import Account, make_account, make_post
from tests.test_preview_tokens import preview_token


def issue(
    client: TestClient, app: FastAPI, account: Account, post_id: int, **body: object
) -> Response:
    response: Response = client.post(
        app.url_path_for("create_preview_link", id_or_slug=post_id),
        json=body or None,
        headers=account.headers,
    )
    return response


def link_of(response: Response) -> str:
    """The path and query of an issued link: what a test client requests."""
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")  # from the request's own URL
    return f"{url.path}?{url.query}"


def signed(db: Database, app: FastAPI, post_id: int, expires: int) -> str:
    """A link made as the server makes them, with the database's key."""
    key = db.call(stored_key, name=PREVIEW_LINK_KEY).encode()
    query = urlencode({"expires": expires, "signature": signature(key, post_id, expires)})
    return f"{app.url_path_for('preview_post', post_id=post_id)}?{query}"


def with_query(link: str, **changes: object) -> str:
    path, _, query = link.partition("?")
    params = {name: values[0] for name, values in parse_qs(query).items()}
    return f"{path}?{urlencode(params | changes)}"


def expires_between(
    issued: Response, asked: datetime, answered: datetime, lifetime: timedelta
) -> bool:
    """The link's lifetime counts from some moment while the request was served (the expiry
    is rounded up to the second), however long serving it took."""
    expires_at = datetime.fromisoformat(issued.json()["expires_at"])
    return asked + lifetime <= expires_at <= answered + lifetime + timedelta(seconds=1)


def test_a_link_reads_one_draft_as_it_is_now_without_a_token(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author, editor = make_account(db, Role.author), make_account(db, Role.editor)
    draft = make_post(db, author, status="draft", published_at=None, title="Erster Entwurf")
    asked = datetime.now(UTC)
    issued = issue(client, app, author, draft.id)
    answered = datetime.now(UTC)
    link = link_of(issued)
    assert expires_between(issued, asked, answered, timedelta(hours=1))

    read = client.get(link)
    assert read.status_code == 200, read.text
    assert (read.json()["id"], read.json()["title"]) == (draft.id, "Erster Entwurf")
    assert read.json()["status"] == "draft"
    assert read.headers["cache-control"] == "no-store"
    assert read.headers["x-robots-tag"] == "noindex"
    assert client.head(link).status_code == 200

    # Later edits show through the same link; anonymous readers still see no draft.
    changed = client.patch(
        app.url_path_for("update_post", id_or_slug=draft.id),
        json={"title": "Zweiter Entwurf"},
        headers=editor.headers,
    )
    assert changed.status_code == 200
    assert client.get(link).json()["title"] == "Zweiter Entwurf"
    assert client.get(app.url_path_for("get_post", id_or_slug=draft.id)).status_code == 404
    assert client.get(app.url_path_for("get_post", id_or_slug=draft.slug)).status_code == 404


def test_issuing_a_link_is_in_the_audit_log(app: FastAPI, client: TestClient, db: Database) -> None:
    admin, author = make_account(db, Role.admin), make_account(db, Role.author)
    draft = make_post(db, author, status="draft", published_at=None)
    issued = issue(client, app, author, draft.id, expires_in=600)
    assert issued.status_code == 200
    log = client.get(
        app.url_path_for("audit_log"),
        params={"action": "post.preview_link_issued"},
        headers=admin.headers,
    )
    (entry,) = log.json()["items"]
    assert entry["object"] == {"type": "post", "id": draft.id}
    assert entry["actor"]["user_id"] == author.viewer.user_id
    assert entry["request_id"] == issued.headers["x-request-id"]
    assert entry["data"]["slug"] == draft.slug
    assert datetime.fromisoformat(entry["data"]["expires_at"]) == datetime.fromisoformat(
        issued.json()["expires_at"]
    )


def test_who_may_issue_a_link(app: FastAPI, client: TestClient, db: Database) -> None:
    """Whoever may read the post with a full token; a preview token never (a link outlives
    it); asking for longer than the server allows is a 422."""
    author, other = make_account(db, Role.author), make_account(db, Role.author)
    editor = make_account(db, Role.editor)
    draft = make_post(db, author, status="draft", published_at=None)
    url = app.url_path_for("create_preview_link", id_or_slug=draft.id)

    assert client.post(url).status_code == 401
    assert issue(client, app, other, draft.id).status_code == 404
    assert issue(client, app, editor, draft.id).status_code == 200
    by_slug = client.post(
        app.url_path_for("create_preview_link", id_or_slug=draft.slug), headers=editor.headers
    )
    assert by_slug.status_code == 200
    refused = client.post(url, headers=preview_token(client, app, editor))
    assert refused.status_code == 403
    assert "Preview tokens only read" in refused.json()["detail"]
    too_long = issue(client, app, author, draft.id, expires_in=3601)
    assert too_long.status_code == 422
    assert "at most 3600 seconds" in too_long.json()["detail"]
    asked = datetime.now(UTC)
    shorter = issue(client, app, author, draft.id, expires_in=60)
    assert expires_between(shorter, asked, datetime.now(UTC), timedelta(seconds=60))


def test_a_link_stops_at_its_expiry(app: FastAPI, client: TestClient, db: Database) -> None:
    """Refused once its time is past, though it was read (and could have been kept) before."""
    author = make_account(db, Role.author)
    draft = make_post(db, author, status="draft", published_at=None)
    past = client.get(signed(db, app, draft.id, int(time.time()) - 1))
    assert past.status_code == 410
    assert "expired" in past.json()["detail"]

    link = link_of(issue(client, app, author, draft.id, expires_in=1))
    assert client.get(link).status_code == 200
    expires = int(parse_qs(urlsplit(link).query)["expires"][0])
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    gone = client.get(link)
    assert gone.status_code == 410, gone.text


@pytest.mark.parametrize("part", ["signature", "post", "expires", "shorter", "foreign"])
def test_a_tampered_link_is_refused(
    app: FastAPI, client: TestClient, db: Database, part: str
) -> None:
    author = make_account(db, Role.author)
    draft = make_post(db, author, status="draft", published_at=None)
    other = make_post(db, author, status="draft", published_at=None)
    link = link_of(issue(client, app, author, draft.id))
    query = parse_qs(urlsplit(link).query)
    given, expires = query["signature"][0], int(query["expires"][0])
    tampered = {
        "signature": with_query(link, signature=given[:-1] + ("A" if given[-1] != "A" else "B")),
        # The same query on another post's path: a link for one post never reads another.
        "post": link.replace(f"/posts/{draft.id}/", f"/posts/{other.id}/"),
        "expires": with_query(link, expires=expires + 3600),
        "shorter": with_query(link, signature=given[:20]),
        # A signature of the server's key, but for another post.
        "foreign": signed(db, app, other.id, expires).replace(
            f"/posts/{other.id}/", f"/posts/{draft.id}/"
        ),
    }[part]
    refused = client.get(tampered)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "signature does not match" in refused.json()["detail"]
    assert client.get(link).status_code == 200  # the link itself still works


def _purge(session: Session, post_id: int) -> None:
    session.execute(delete(Post).where(col(Post.id) == post_id))


def test_a_link_to_a_post_trashed_or_deleted_since_is_404(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author = make_account(db, Role.author)
    draft = make_post(db, author, status="draft", published_at=None)
    link = link_of(issue(client, app, author, draft.id))
    assert client.get(link).status_code == 200
    # In the trash, out of every view, the link's too; and back again with the post.
    url = app.url_path_for("delete_post", id_or_slug=draft.id)
    assert client.delete(url, headers=author.headers).status_code == 204
    assert client.get(link).status_code == 404
    restore = app.url_path_for("restore_post", id_or_slug=draft.id)
    assert client.post(restore, headers=author.headers).status_code == 200
    assert client.get(link).status_code == 200
    # The row gone for good, as a purge leaves it.
    db.call(_purge, post_id=draft.id)
    assert client.get(link).status_code == 404


def test_the_public_cache_never_holds_a_preview(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """A preview read after the public read of the same post, and the other way round: each
    gets its own answer, and the preview is never marked for shared caches."""
    editor = make_account(db, Role.editor)
    post = make_post(db, editor, title="Öffentlich")
    public_url = app.url_path_for("get_post", id_or_slug=post.id)
    link = link_of(issue(client, app, editor, post.id))

    public = client.get(public_url)
    assert public.status_code == 200
    assert public.headers["cache-control"].startswith("public")
    assert client.get(public_url).headers["etag"] == public.headers["etag"]  # kept
    preview = client.get(link)
    assert preview.headers["cache-control"] == "no-store"
    assert preview.headers["x-robots-tag"] == "noindex"
    assert "etag" not in preview.headers
    again = client.get(public_url)
    assert again.headers["cache-control"].startswith("public")
    assert "x-robots-tag" not in again.headers

    # The other way round, for a draft: the preview first, then the public URL.
    draft = make_post(db, editor, status="draft", published_at=None)
    draft_link = link_of(issue(client, app, editor, draft.id))
    assert client.get(draft_link).json()["status"] == "draft"
    assert client.get(app.url_path_for("get_post", id_or_slug=draft.id)).status_code == 404
    # And the preview is answered afresh, not from anything kept: a changed post shows.
    client.patch(
        app.url_path_for("update_post", id_or_slug=draft.id),
        json={"body": "Neuer Text."},
        headers=editor.headers,
    )
    assert client.get(draft_link).json()["body"] == "Neuer Text."
