"""The load benchmark's bare app sends, for each hot kind of URL, exactly the bytes a real
`presseschau serve` sends for it, identity and gzip alike: the API's figures are divided by its
own, so a compressed scenario is fair only if both send the same compressed bytes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from bench import bare, responses
from bench.kinds import API, GZIPPED, kind_of
from bench.scenarios import COLD, SCENARIOS
from bench.urls import Urls, collect
from tests.factories import make_account, make_post, make_source
from tests.live_server import served, url_of
from tests.test_compression import BODY

KINDS = {"list": "hot_list", "post": "hot_post", "day": "hot_day", "feed": "hot_feed"}


@dataclass(frozen=True, slots=True)
class Sent:
    status: int
    headers: httpx.Headers
    body: bytes  # as sent, undecoded


def raw(client: httpx.Client | TestClient, path: str, accept: str | None) -> Sent:
    """GET ``path``; without Accept-Encoding, as wrk asks, when ``accept`` is None."""
    request = client.build_request("GET", path)
    if accept is None:
        del request.headers["accept-encoding"]
    else:
        request.headers["accept-encoding"] = accept
    response = client.send(request, stream=True)
    try:
        return Sent(response.status_code, response.headers, b"".join(response.iter_raw()))
    finally:
        response.close()


def test_the_bare_app_sends_the_apis_bytes_in_each_coding(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = make_account(db)
    source = make_source(db, name="TASS", slug="tass")
    # On the day the hot day archive shows, whatever the factories' counter has reached.
    noon = datetime(2022, 1, 10, 11, 0, tzinfo=UTC)
    posts = [
        make_post(
            db, editor, body=BODY, source_id=source.id, published_at=noon - timedelta(minutes=n)
        )
        for n in range(3)
    ]
    urls = Urls(
        hot_list=f"{API}/posts",
        hot_post=f"{API}/posts/{posts[0].slug}",
        hot_day=f"{API}/archives/2022/01/10",
        cold={"list": [f"{API}/posts?source=tass"], "source": [f"{API}/sources/tass"]},
        search=[f"{API}/posts?q=Lage"],
    )
    with served(url_of(db), environment={"PRESSESCHAU_WORKER": "false"}) as (_, base):
        reps = responses.fetch(base, urls, editor.token, tmp_path)
        monkeypatch.setenv(bare.ENV, str(reps.responses))
        with httpx.Client(base_url=base) as api, TestClient(bare.create_app()) as baseline:
            for kind in GZIPPED:
                path = getattr(urls, KINDS[kind])
                for accept in (None, "gzip"):
                    sent = raw(api, path, accept)
                    copied = raw(baseline, path, accept)
                    assert sent.status == copied.status == 200, (kind, accept)
                    coding = sent.headers.get("content-encoding")
                    assert coding == (None if accept is None else "gzip"), (kind, accept)
                    assert copied.headers.get("content-encoding") == coding
                    assert copied.headers["etag"] == sent.headers["etag"]
                    assert copied.body == sent.body, (kind, accept)


def test_the_quick_run_reads_cold_lists_narrowed_by_fields(
    db: Database, client: TestClient
) -> None:
    editor = make_account(db)
    source = make_source(db, name="TASS", slug="tass")
    posts = [make_post(db, editor, source_id=source.id) for _ in range(3)]
    scenario = next(item for item in SCENARIOS if item.name == "cold list fields")
    # Run beside the full cold list in the quick run, with and without the response cache.
    assert scenario in COLD
    assert next(item for item in SCENARIOS if item.name == "cold list") in COLD

    urls = collect(url_of(db), seed=7)
    assert len(urls.list_fields) == len(urls.cold["list"])
    for path in urls.list_fields[:4]:
        plain, _, query = path.partition("?")
        # The bare app answers it with the representative recorded for such lists.
        assert kind_of("GET", plain, query.encode(), False) == "list_fields"
        response = client.get(path)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert {post["slug"] for post in items} <= {post.slug for post in posts}
        assert all(set(item) == {"id", "slug", "title"} for item in items)
