"""Compression of what the response cache does not keep: the docs' files (compressed once,
revalidated per representation, ranges of their identity bytes), the OpenAPI document, the
streamed export, and bodies too large to hold; large bodies compressed off the event loop."""

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from starlette.types import Message

from app.auth.models import Role
from app.compression import codecs
from app.compression import middleware as compression
from app.compression.middleware import Compression
from app.core.db import Database
from app.core.openapi import ASSETS_PATH, SWAGGER_ASSETS
from tests.factories import make_account, make_post
from tests.test_compression import BODY, DECODERS, Raw, get, varies

CSS = f"{ASSETS_PATH}/swagger-ui.css"


def css_bytes() -> bytes:
    return (Path(SWAGGER_ASSETS) / "swagger-ui.css").read_bytes()


class Counted:
    """An encoder that counts its calls and notes the threads it ran on."""

    def __init__(self, encoder: Callable[[bytes], bytes]) -> None:
        self.encoder = encoder
        self.calls = 0
        self.threads: set[int] = set()

    def __call__(self, body: bytes) -> bytes:
        self.calls += 1
        self.threads.add(threading.get_ident())
        return self.encoder(body)


@pytest.fixture
def gzip_calls(monkeypatch: pytest.MonkeyPatch) -> Counted:
    counted = Counted(codecs.ENCODERS["gzip"])
    monkeypatch.setitem(codecs.ENCODERS, "gzip", counted)
    return counted


def test_a_docs_file_is_compressed_once_and_revalidated_per_representation(
    client: TestClient, gzip_calls: Counted
) -> None:
    identity = get(client, CSS, "identity")
    assert identity.status == 200
    assert identity.body == css_bytes()
    first = get(client, CSS, "gzip")
    assert first.status == 200
    assert first.coding == "gzip"
    assert first.decoded() == css_bytes()
    assert len(first.body) < len(css_bytes()) / 4
    assert int(first.headers["content-length"]) == len(first.body)
    assert first.headers["etag"] == identity.headers["etag"][:-1] + '-gz"'
    assert varies(first)
    # Its ranges would be of the identity bytes: not offered on the compressed form.
    assert "accept-ranges" not in first.headers
    # Compressed once, on a worker thread (the file is larger than a millisecond's work).
    assert gzip_calls.calls == 1
    assert threading.get_ident() not in gzip_calls.threads
    again = get(client, CSS, "gzip")
    assert again.body == first.body
    assert again.headers["etag"] == first.headers["etag"]
    assert gzip_calls.calls == 1
    # A browser revalidating its gzip copy gets a 304 with that copy's ETag.
    held = get(client, CSS, "gzip", **{"If-None-Match": first.headers["etag"]})
    assert held.status == 304
    assert held.body == b""
    assert held.headers["etag"] == first.headers["etag"]
    assert varies(held)
    # Another coding's tag is no reason for one.
    other = get(client, CSS, "br", **{"If-None-Match": first.headers["etag"]})
    assert other.status == 200
    assert other.coding == "br"
    assert other.decoded() == css_bytes()
    assert gzip_calls.calls == 1


def test_a_range_of_a_docs_file_is_of_its_identity_bytes(client: TestClient) -> None:
    response = get(client, CSS, "gzip", Range="bytes=0-9999")
    assert response.status == 206
    assert response.coding is None
    assert response.body == css_bytes()[:10_000]
    assert response.headers["content-range"] == f"bytes 0-9999/{len(css_bytes())}"
    assert response.headers["content-length"] == "10000"


def test_head_of_a_docs_file_is_its_identity_representation(client: TestClient) -> None:
    head = Raw(client, "HEAD", CSS, {"Accept-Encoding": "gzip"})
    assert head.status == 200
    assert head.body == b""
    assert "content-encoding" not in head.headers
    assert head.headers["content-length"] == str(len(css_bytes()))
    assert varies(head)


def test_the_openapi_document_is_compressed(client: TestClient) -> None:
    identity = get(client, "/openapi.json", "identity")
    assert identity.status == 200
    for coding in DECODERS:
        response = get(client, "/openapi.json", coding)
        assert response.coding == coding
        assert response.decoded() == identity.body
        assert int(response.headers["content-length"]) == len(response.body)


def test_a_body_too_large_to_hold_is_sent_as_it_is(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = get(client, "/openapi.json", "identity")
    monkeypatch.setattr(compression, "MAX_BYTES", len(identity.body) - 1)
    response = get(client, "/openapi.json", "gzip")
    assert response.status == 200
    assert response.coding is None
    assert response.body == identity.body
    assert varies(response)


def test_the_export_is_streamed_as_it_is(client: TestClient, db: Database) -> None:
    admin = make_account(db, Role.admin)
    for _ in range(3):
        make_post(db, admin, body=BODY)
    response = get(client, "/api/v1/export", "gzip, br, zstd", **admin.headers)
    assert response.status == 200
    assert response.coding is None
    assert "content-length" not in response.headers
    assert len(json.loads(response.body)["posts"]) == 3


def test_a_large_api_body_is_compressed_off_the_event_loop(
    client: TestClient, db: Database, gzip_calls: Counted
) -> None:
    editor = make_account(db)
    for _ in range(12):
        make_post(db, editor, body=BODY)
    response = get(client, "/api/v1/posts?per_page=20", "gzip")
    assert response.coding == "gzip"
    assert len(response.decoded()) > codecs.OFF_LOOP_BYTES
    assert gzip_calls.calls == 1
    assert threading.get_ident() not in gzip_calls.threads


def test_a_file_the_server_sends_itself_is_sent_uncompressed() -> None:
    """ASGI's pathsend: the server reads the file, so there is no body here to compress."""
    app = Compression(StaticFiles(directory=SWAGGER_ASSETS), min_bytes=1024)
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/swagger-ui.css",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"accept-encoding", b"gzip")],
        "extensions": {"http.response.pathsend": {}},
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "asgi": {"version": "3.0", "spec_version": "2.4"},
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def request() -> None:
        await app(scope, receive, send)

    anyio.run(request)
    assert [message["type"] for message in sent] == [
        "http.response.start",
        "http.response.pathsend",
    ]
    headers = dict(sent[0]["headers"])
    assert b"content-encoding" not in headers
    assert headers[b"content-length"] == str(len(css_bytes())).encode()
    assert b"accept-encoding" in headers[b"vary"].lower()
