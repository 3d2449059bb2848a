"""Compressed responses: negotiated by Accept-Encoding, Vary on every negotiable response,
an ETag and 304s per representation, compressed bytes kept in the response cache, and a
hostile header answered cheaply with identity."""

import gzip
import zlib
from collections.abc import Callable, Mapping

import brotli
import pytest
import zstandard
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.caching.store import CachedResponse, ResponseStore, Variant
from app.compression.negotiation import IDENTITY, Accepted, parse
from app.core.config import Settings
from app.core.db import Database
from app.derived.content_version import Freshness
from app.main import create_app
from tests.cost import cpu_seconds
from tests.counting import count_queries, kept_response_queries
from tests.factories import make_account, make_post, make_source

API = "/api/v1"
BODY = "Ein Absatz über die Lage, mit Zahlen und Namen, und noch ein Satz dazu. " * 40


def _unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompress(data)


DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": _unzstd,
}


class Raw:
    """A response as sent: its status, headers and undecoded body."""

    def __init__(
        self, client: TestClient, method: str, url: str, headers: Mapping[str, str]
    ) -> None:
        with client.stream(method, url, headers=dict(headers)) as response:
            self.status = response.status_code
            self.headers = response.headers
            self.body = b"".join(response.iter_raw())

    @property
    def coding(self) -> str | None:
        coding: str | None = self.headers.get("content-encoding")
        return coding

    def decoded(self) -> bytes:
        return self.body if self.coding is None else DECODERS[self.coding](self.body)


def get(client: TestClient, url: str, accept: str, **headers: str) -> Raw:
    return Raw(client, "GET", url, {**headers, "Accept-Encoding": accept})


def varies(response: Raw) -> bool:
    return "accept-encoding" in response.headers.get("vary", "").lower()


@pytest.fixture
def posts_url(db: Database) -> str:
    editor = make_account(db)
    for _ in range(3):
        make_post(db, editor, body=BODY)
    return f"{API}/posts"


# ---- negotiation, as a table ----------------------------------------------------------------

NEGOTIATION = [
    # (Accept-Encoding, coding for a large body, identity acceptable)
    ("gzip", "gzip", True),
    ("br", "br", True),
    ("zstd", "zstd", True),
    ("gzip, deflate, br, zstd", "zstd", True),  # equal weights: the server's preference
    ("gzip, deflate, br", "br", True),
    ("GZIP", "gzip", True),  # codings are case-insensitive
    ("x-gzip", "gzip", True),
    ("br;q=0.5, gzip;q=0.8", "gzip", True),
    ("br;q=1.0, gzip;q=0.999", "br", True),
    ("gzip;q=0, br", "br", True),
    ("gzip;q=0", None, True),
    ("deflate", None, True),  # not served: identity
    ("compress, identity", None, True),
    ("", None, True),  # empty: identity only
    ("*", "zstd", True),
    ("*;q=0.5, gzip", "gzip", True),
    ("*;q=0.1, zstd;q=0", "br", True),
    ("*;q=0", None, False),
    ("identity;q=0", None, False),
    ("gzip, identity;q=0", "gzip", False),
    ("identity, gzip;q=0.5", None, True),  # identity weighs more
    ("gzip;q=0.5, identity;q=0.5", "gzip", True),  # a tie goes to the coding
    ("gzip;q=1.5", None, True),  # a weight out of range: the element is ignored
    ("gzip;q=0.1234", None, True),  # more than three decimals
    ("gzip;q=, br", "br", True),
    ("gzip;level=9;q=0.8", "gzip", True),
    (" ,, gzip ,", "gzip", True),
    ("br, br;q=0", "br", True),  # the first naming counts
]


@pytest.mark.parametrize(("header", "coding", "identity"), NEGOTIATION)
def test_accept_encoding_negotiation(header: str, coding: str | None, identity: bool) -> None:
    assert parse(header.encode()) == Accepted(coding, identity)


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),
        ("gzip, deflate, br, zstd", "zstd"),
        ("br", "br"),
        ("*", "zstd"),
        ("identity", None),
        ("gzip;q=0", None),
        ("", None),
    ],
)
def test_a_read_is_sent_in_the_negotiated_coding(
    client: TestClient, posts_url: str, header: str, coding: str | None
) -> None:
    identity = get(client, posts_url, "identity")
    # Twice: made, then from the response cache.
    for _ in range(2):
        response = get(client, posts_url, header)
        assert response.status == 200
        assert response.coding == coding
        assert varies(response)
        assert int(response.headers["content-length"]) == len(response.body)
        assert response.decoded() == identity.body
        if coding is not None:
            assert len(response.body) < len(identity.body) / 3


def test_no_accept_encoding_gets_identity(client: TestClient, posts_url: str) -> None:
    """httpx always sends the header, so the request is built without it."""
    request = client.build_request("GET", posts_url)
    del request.headers["accept-encoding"]
    response = client.send(request, stream=True)
    body = b"".join(response.iter_raw())
    response.close()
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) == len(body)


# ---- Vary, sizes, HEAD, errors, writes ------------------------------------------------------


def test_a_small_body_is_sent_as_it_is_but_still_varies(client: TestClient, db: Database) -> None:
    make_source(db, name="TASS", slug="tass")
    url = f"{API}/sources/tass"
    response = get(client, url, "gzip")
    assert response.status == 200
    assert len(response.body) < 1024
    assert response.coding is None
    assert varies(response)
    # Unless identity is refused: then the coding it takes, whatever the size.
    refused = get(client, url, "gzip, identity;q=0")
    assert refused.coding == "gzip"
    assert refused.decoded() == response.body


def test_the_threshold_is_a_setting(settings: Settings, db: Database, posts_url: str) -> None:
    make_source(db, name="TASS", slug="tass")
    low = settings.model_copy(update={"compression_min_bytes": 10})
    with TestClient(create_app(low, db)) as client:
        assert get(client, f"{API}/sources/tass", "gzip").coding == "gzip"
    off = settings.model_copy(update={"compression": False})
    with TestClient(create_app(off, db)) as client:
        response = get(client, posts_url, "gzip")
        assert response.coding is None
        assert not varies(response)


def test_head_is_answered_as_the_identity_representation(
    client: TestClient, posts_url: str
) -> None:
    identity = get(client, posts_url, "identity")
    for _ in range(2):  # also once the cache holds the gzip representation
        gzipped = get(client, posts_url, "gzip")
        assert gzipped.coding == "gzip"
        head = Raw(client, "HEAD", posts_url, {"Accept-Encoding": "gzip"})
        assert head.status == 200
        assert head.body == b""
        assert "content-encoding" not in head.headers
        assert head.headers["content-length"] == str(len(identity.body))
        assert head.headers["etag"] == identity.headers["etag"]
        assert varies(head)


def test_a_large_problem_is_compressed(client: TestClient) -> None:
    unknown = "&".join(f"unknown_parameter_{n}=1" for n in range(60))
    url = f"{API}/posts?{unknown}"
    plain = get(client, url, "identity")
    assert plain.status == 422
    assert len(plain.body) > 2048
    for coding in DECODERS:
        response = get(client, url, coding)
        assert response.status == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.coding == coding
        assert varies(response)
        assert int(response.headers["content-length"]) == len(response.body)
        assert response.decoded() == plain.body
    # A small one is not, and varies all the same.
    small = get(client, f"{API}/posts/no-such-post", "gzip")
    assert small.status == 404
    assert small.coding is None
    assert varies(small)


def test_a_writes_body_is_compressed_and_its_etag_still_matches(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    request = client.build_request(
        "POST",
        f"{API}/posts",
        json={"title": "Lage", "body": BODY, "status": "published"},
        headers={**editor.headers, "Accept-Encoding": "gzip"},
    )
    response = client.send(request, stream=True)
    body = b"".join(response.iter_raw())
    response.close()
    assert response.status_code == 201
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(body)
    post_id = gzip.decompress(body).decode().split('"id":', 1)[1].split(",", 1)[0]
    # A writer's read, gzipped, names the version with the representation's suffix; a write
    # that sends it back in If-Match is made, not refused as out of date.
    read = get(client, f"{API}/posts/{post_id}", "gzip", **editor.headers)
    assert read.coding == "gzip"
    assert read.headers["etag"] == '"v1-gz"'
    assert read.headers["cache-control"] == "private, no-store"
    edited = client.patch(
        f"{API}/posts/{post_id}",
        json={"title": "Neue Lage"},
        headers={**editor.headers, "If-Match": read.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    stale = client.patch(
        f"{API}/posts/{post_id}",
        json={"title": "Alte Lage"},
        headers={**editor.headers, "If-Match": read.headers["etag"]},
    )
    assert stale.status_code == 412


# ---- ETags and 304s per representation ------------------------------------------------------


@pytest.mark.parametrize("cached", [True, False])
def test_each_representation_has_its_own_etag_and_304(
    settings: Settings, db: Database, posts_url: str, cached: bool
) -> None:
    configured = settings.model_copy(update={"response_cache_mb": 16 if cached else 0})
    with TestClient(create_app(configured, db)) as client:
        identity = get(client, posts_url, "identity")
        gzipped = get(client, posts_url, "gzip")
        brotlied = get(client, posts_url, "br")
        tags = {identity.headers["etag"], gzipped.headers["etag"], brotlied.headers["etag"]}
        assert len(tags) == 3
        assert gzipped.headers["etag"] == identity.headers["etag"][:-1] + '-gz"'
        for response, coding in ((identity, "identity"), (gzipped, "gzip"), (brotlied, "br")):
            again = get(client, posts_url, coding, **{"If-None-Match": response.headers["etag"]})
            assert again.status == 304, coding
            assert again.body == b""
            assert again.headers["etag"] == response.headers["etag"]
            assert varies(again)
        # Another representation's ETag is no reason for a 304: the full body is sent.
        for held, accept in ((gzipped, "identity"), (identity, "gzip"), (brotlied, "gzip")):
            other = get(client, posts_url, accept, **{"If-None-Match": held.headers["etag"]})
            assert other.status == 200
            assert other.decoded() == identity.body
        # A weak form of the tag matches too (If-None-Match compares weakly).
        weak = "W/" + gzipped.headers["etag"]
        assert get(client, posts_url, "gzip", **{"If-None-Match": weak}).status == 304


# ---- the response cache keeps the compressed bytes ------------------------------------------


def test_the_cache_serves_compressed_bytes_of_the_exact_body(
    client: TestClient, db: Database, posts_url: str
) -> None:
    identity = get(client, posts_url, "identity")
    for coding in DECODERS:
        first = get(client, posts_url, coding)
        with count_queries(db) as statements:
            kept = get(client, posts_url, coding)
        # Served from memory: no query beyond the version check, the same bytes.
        reads = [s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))]
        assert len(reads) == kept_response_queries(db)
        assert kept.body == first.body
        assert kept.coding == coding
        assert kept.decoded() == identity.body
        assert kept.headers["etag"] == first.headers["etag"]


def test_a_write_is_seen_by_every_compressed_representation(
    client: TestClient, db: Database, posts_url: str
) -> None:
    before = get(client, posts_url, "gzip")
    make_post(db, make_account(db, Role.editor), title="Ganz neu", body=BODY)
    after = get(client, posts_url, "gzip")
    assert after.headers["etag"] != before.headers["etag"]
    assert b"Ganz neu" in after.decoded()
    assert get(client, posts_url, "identity").body == after.decoded()


def test_variants_count_in_the_cache_budget() -> None:
    def entry(size: int) -> CachedResponse:
        return CachedResponse(
            freshness=Freshness(1, 0.0),
            etag=b'"e"',
            last_modified=0.0,
            headers=[],
            body=b"x" * size,
            negotiable=True,
        )

    store = ResponseStore(1000)
    keys = [("http", b"h", f"/{n}", b"") for n in range(3)]
    first, second = entry(300), entry(300)
    store.put(keys[0], first)
    store.put(keys[1], second)
    assert store.bytes == 600
    store.add_variant(keys[0], first, "gzip", Variant(b'"e-gz"', [], b"z" * 100))
    assert store.bytes == 700
    assert first.variants["gzip"].body == b"z" * 100
    # Over the budget: the least recently used entry (the second, since the first just grew)
    # goes, variants and all.
    store.add_variant(keys[0], first, "br", Variant(b'"e-br"', [], b"b" * 350))
    assert store.get(keys[1]) is None
    assert store.bytes == 750
    # A variant made for an entry replaced meanwhile is not kept.
    store.put(keys[0], entry(10))
    store.add_variant(keys[0], first, "zstd", Variant(b'"e-zst"', [], b"s" * 10))
    assert store.bytes == 10


# ---- hostile headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "x" * 10_000,
        ", ".join(f"coding{n};q=0.{n % 1000:03d}" for n in range(2_000)),
        "gzip, " * 3_000,
        "gzip;q=" + "0" * 10_000,
        ";" * 10_000 + "gzip",
        "\t" * 10_000,
    ],
)
def test_a_hostile_accept_encoding_is_cheap_and_gets_identity(
    client: TestClient, posts_url: str, header: str
) -> None:
    identity = get(client, posts_url, "identity")
    parse(header.encode())  # warm, as the cost of a repeated header is not the point
    seconds = cpu_seconds(lambda: parse(header.encode() + b" "))
    assert seconds < 0.01
    assert parse(header.encode()) == IDENTITY
    response = get(client, posts_url, header)
    assert response.status == 200
    assert response.coding is None
    assert response.body == identity.body


def test_an_app_without_the_cache_compresses_too(
    settings: Settings, db: Database, posts_url: str
) -> None:
    """Direct reads and the framework both hand their bodies to the same compression."""
    bodies = []
    for direct in (True, False):
        configured = settings.model_copy(update={"direct_reads": direct, "response_cache_mb": 0})
        app: FastAPI = create_app(configured, db)
        with TestClient(app) as client:
            response = get(client, posts_url, "gzip")
            assert response.coding == "gzip"
            bodies.append(zlib.decompress(response.body, 31))
    assert bodies[0] == bodies[1]
