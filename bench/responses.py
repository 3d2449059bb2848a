"""One representative API response per kind, for the bare app to send back byte for byte.

Fetched from the running API just before the scenarios, so the bare app's answers have the
sizes, content types and headers the API's have today (ETag and Cache-Control included, once
the API sends them), uncompressed and, for the hot kinds, gzipped as sent. Also finds the
front page's ETag for the 304 scenario, and a realistic post body (a dataset post's) for the
write scenarios.
"""

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.kinds import API, GZIP_SUFFIX, GZIPPED, kind_of
from bench.urls import Urls

# Headers a server sets itself, per response or per connection; the rest are copied.
OWN_HEADERS = {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(frozen=True, slots=True)
class Representatives:
    responses: Path  # the file bench.bare loads
    body: Path  # a post body as a JSON string, for the Lua script's POSTs
    etag: str | None  # the front page's, or None while the API sends no ETag
    sizes: dict[str, dict[str, Any]]  # kind -> status, content type, body bytes


def _record(response: httpx.Response, body: bytes | None = None) -> dict[str, Any]:
    """The response's status, headers and ``body`` (by default its content)."""
    headers = [
        [name, value] for name, value in response.headers.items() if name.lower() not in OWN_HEADERS
    ]
    content = response.content if body is None else body
    return {"status": response.status_code, "headers": headers,
            "body": base64.b64encode(content).decode()}  # fmt: skip


def _record_gzipped(client: httpx.Client, path: str) -> dict[str, Any]:
    """The gzip representation, its bytes as sent (httpx would decode them)."""
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        if response.status_code != 200 or response.headers.get("content-encoding") != "gzip":
            raise RuntimeError(f"GET {path} with Accept-Encoding: gzip was not sent gzipped")
        return _record(response, raw)


def fetch(base: str, urls: Urls, token: str, folder: Path) -> Representatives:
    """GET one URL of each kind (and POST one post first, and edit it, so later GETs already
    include it)."""
    chosen = {
        "list": urls.hot_list,
        "list_source": next(path for path in urls.cold["list"] if "source=" in path),
        "search": urls.search[0],
        "post": urls.hot_post,
        "day": urls.hot_day,
        "feed": urls.hot_feed,
        "sources": f"{API}/sources",
        "source": next(path for path in urls.cold["source"] if path != f"{API}/sources"),
    }
    if urls.list_fields:
        chosen["list_fields"] = urls.list_fields[0]
    if first := next((paths[0] for paths in urls.bands.values() if paths), None):
        chosen["search_api"] = first
    recorded: dict[str, dict[str, Any]] = {}
    # Identity unless asked otherwise: wrk sends no Accept-Encoding, httpx would ask for all.
    identity = {"Accept-Encoding": "identity"}
    with httpx.Client(base_url=base, timeout=60, headers=identity) as client:
        post = client.get(urls.hot_post)
        post.raise_for_status()
        body = json.dumps(post.json()["body"], ensure_ascii=False)
        created = client.post(
            f"{API}/posts",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            content=f'{{"title":"Benchmark representative","status":"published","body":{body}}}',
        )
        if created.status_code != 201:
            raise RuntimeError(f"POST {API}/posts answered {created.status_code}: {created.text}")
        recorded["created"] = _record(created)
        # An edit of that post's body, which keeps a revision, for the edits scenario.
        edited = client.patch(
            f"{API}/posts/{created.json()['id']}",
            headers={"Authorization": f"Bearer {token}"},
            json={"body": f"{post.json()['body']} (bearbeitet)"},
        )
        if edited.status_code != 200:
            raise RuntimeError(f"PATCH {API}/posts/ID answered {edited.status_code}: {edited.text}")
        recorded["edited"] = _record(edited)
        for kind, path in chosen.items():
            found = kind_of("GET", path.split("?")[0], path.partition("?")[2].encode(), False)
            if found != kind:
                raise RuntimeError(f"the bare app would answer {path} as {found!r}, not {kind!r}")
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text}")
            recorded[kind] = _record(response)
            if kind in GZIPPED:
                recorded[kind + GZIP_SUFFIX] = _record_gzipped(client, path)
        etag = dict(recorded["list"]["headers"]).get("etag")
        if etag is not None:
            recorded["not_modified"] = _record(
                client.get(urls.hot_list, headers={"If-None-Match": etag})
            )
    responses = folder / "responses.json"
    responses.write_text(json.dumps(recorded))
    body_file = folder / "post-body.json"
    body_file.write_text(body)
    sizes = {
        kind: {
            "status": item["status"],
            "content_type": dict(item["headers"]).get("content-type"),
            "bytes": len(base64.b64decode(item["body"])),
        }
        for kind, item in recorded.items()
    }
    return Representatives(responses=responses, body=body_file, etag=etag, sizes=sizes)
