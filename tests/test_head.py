"""HEAD wherever GET works: the same status and headers, no body."""

import pytest
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.db import Database
from tests.factories import make_account, make_post, make_source

API = "/api/v1"
# Headers that differ between any two responses, whatever their method.
PER_RESPONSE = {"x-request-id", "date"}


@pytest.mark.parametrize(
    ("path", "as_admin"),
    [
        ("/posts", False),
        ("/posts?source=tass&per_page=1", False),
        ("/posts/{slug}", False),
        ("/posts/{id}", True),
        ("/sources", False),
        ("/sources/tass", False),
        ("/archives", False),
        ("/archives/2022/01/10", False),
        ("/posts?sources=tass", False),  # an error: a HEAD gets its status and headers too
        ("/posts/no-such-post", False),
        ("/me", True),
        ("/export", True),
    ],
)
def test_head_answers_as_get_does_without_a_body(
    client: TestClient, db: Database, path: str, as_admin: bool
) -> None:
    admin = make_account(db, Role.admin)
    tass = make_source(db, name="TASS", slug="tass")
    post = make_post(db, admin, source_id=tass.id, published_at="2022-01-10T10:00:00Z")
    make_post(db, admin, source_id=tass.id, published_at="2022-01-10T11:00:00Z")
    url = API + path.format(slug=post.slug, id=post.id)
    headers = admin.headers if as_admin else {}
    # A HEAD is answered as the uncompressed GET (app.compression), whatever it accepts.
    identity = {**headers, "Accept-Encoding": "identity"}
    # Twice each, in both orders: an answer the response cache keeps serves HEAD as well.
    for _ in range(2):
        get = client.get(url, headers=identity)
        head = client.head(url, headers=headers)
        assert head.status_code == get.status_code, url
        assert head.content == b""
        assert {k: v for k, v in head.headers.items() if k not in PER_RESPONSE} == {
            k: v for k, v in get.headers.items() if k not in PER_RESPONSE
        }, url
        assert len(get.content) > 0
        if path != "/export":  # a stream, of no length known beforehand
            assert int(head.headers["content-length"]) == len(get.content)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
def test_probes_and_docs_answer_head(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_is_no_way_around_a_methods_rules(client: TestClient, db: Database) -> None:
    """Where GET is not allowed, neither is HEAD; and a HEAD changes nothing."""
    editor = make_account(db)
    post = make_post(db, editor)
    assert client.head(f"{API}/posts/{post.slug}").status_code == 200
    like = f"{API}/posts/{post.slug}/likes"
    assert client.head(like).status_code == client.get(like).status_code == 405
    assert client.get(f"{API}/posts/{post.id}").json()["likes"] == 0
