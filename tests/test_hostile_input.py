"""Hostile input in every text field of every write route: cheap to refuse or to store.

Each request of the corpus (tests/hostile_corpus.py), each shape as large as the field's limit
allows and one far over it, must cost well under a second of CPU and be answered 200/201 or a
clear 422 naming the field, never a 500; what is stored is plain text where plain text is due.
"""

import asyncio
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from app.auth.models import TOKEN_NAME_MAX, USER_NAME_MAX, Role
from app.core.db import Database
from app.core.html import TooDeeplyNested, render_markdown, strip_tags
from app.core.nesting import MAX_NESTING
from app.importers.records import ImportedPost
from app.importers.service import PostImporter
from app.posts.models import (
    BODY_MAX,
    CREDIT_MAX,
    TAG_MAX,
    TAGS_PER_POST_MAX,
    TITLE_MAX,
    PostStatus,
)
from app.search.terms import QUERY_MAX
from app.sources.models import DESCRIPTION_MAX, DOMAIN_MAX, SOURCE_NAME_MAX
from app.sources.schemas import DOMAINS_PER_SOURCE_MAX
from tests.cost import cpu_seconds
from tests.factories import Account, make_account, make_post, make_source, tagged
from tests.hostile_corpus import corpus
from tests.write_lock import write_lock_free

CPU_SECONDS_MAX = 1.0  # per request: issue 17 asks for well under a second
# What the body limit lets a short field be sent with: the 300 KB title.
OVERSIZED = "<div>" * 60000 + "Titel"
_numbers = itertools.count()
# Markup: what a browser would read as a tag ("a < b" is plain text).
_MARKUP = re.compile(r"<[A-Za-z/!?][^<]")


@dataclass(frozen=True)
class Target:
    """One text field of one write route."""

    field: str  # as the 422's detail names it
    limit: int
    role: Role
    send: Callable[[TestClient, FastAPI, dict[str, Any], Account, str], Response]
    plain: str | None = None  # the response field that must come out without markup
    oversized: bool = True  # also sent far over its limit (a path cannot be)


def _unique(value: str, limit: int) -> str:
    """``value`` made unique among the corpus's requests, within ``limit``: names must be."""
    prefix = f"n{next(_numbers)} "
    return (prefix + value)[:limit]


def _post(client: TestClient, app: FastAPI, json: dict[str, Any], who: Account) -> Response:
    response: Response = client.post(
        app.url_path_for("create_post"), headers=who.headers, json=json
    )
    return response


def _patch_post(client: TestClient, app: FastAPI, ids: dict[str, Any], who: Account, v: str, *, field: str) -> Response:  # fmt: skip
    url = app.url_path_for("update_post", id_or_slug=str(ids["post"]))
    response: Response = client.patch(url, headers=who.headers, json={field: v})
    return response


def _source(client: TestClient, app: FastAPI, json: dict[str, Any], who: Account) -> Response:
    response: Response = client.post(
        app.url_path_for("create_source"), headers=who.headers, json=json
    )
    return response


TARGETS = {
    "post title": Target(
        "title", TITLE_MAX, Role.author,
        lambda c, a, ids, who, v: _post(c, a, {"title": v}, who), plain="title",
    ),
    "post body": Target(
        "body", BODY_MAX, Role.author,
        lambda c, a, ids, who, v: _post(c, a, {"title": "Text", "body": v}, who), plain="excerpt",
    ),
    "post credit": Target(
        "credit", CREDIT_MAX, Role.author,
        lambda c, a, ids, who, v: _post(c, a, {"title": "Text", "credit": v}, who), plain="credit",
    ),
    "post tags": Target(
        "tags", TAG_MAX, Role.author,
        lambda c, a, ids, who, v: _post(
            c, a, {"title": "Text", "tags": [v[: TAG_MAX - 3] + f" {n:02}"[-3:] for n in range(TAGS_PER_POST_MAX)]}, who
        ),
    ),
    "post slug": Target(
        "slug", 200, Role.author,
        lambda c, a, ids, who, v: _post(c, a, {"title": "Text", "slug": v}, who),
    ),
    "changed post title": Target(
        "title", TITLE_MAX, Role.author,
        lambda c, a, ids, who, v: _patch_post(c, a, ids, who, v, field="title"), plain="title",
    ),
    "changed post body": Target(
        "body", BODY_MAX, Role.author,
        lambda c, a, ids, who, v: _patch_post(c, a, ids, who, v, field="body"), plain="excerpt",
    ),
    "source name": Target(
        "name", SOURCE_NAME_MAX, Role.editor,
        lambda c, a, ids, who, v: _source(c, a, {"name": _unique(v, SOURCE_NAME_MAX)}, who),
        plain="name",
    ),
    "source description": Target(
        "description", DESCRIPTION_MAX, Role.editor,
        lambda c, a, ids, who, v: _source(
            c, a, {"name": _unique("Quelle", SOURCE_NAME_MAX), "description": v}, who
        ),
        plain="description",
    ),
    "source domains": Target(
        "domains", DOMAIN_MAX, Role.editor,
        lambda c, a, ids, who, v: _source(
            c, a, {"name": _unique("Quelle", 50), "domains": [v] * DOMAINS_PER_SOURCE_MAX}, who
        ),
    ),
    "changed source description": Target(
        "description", DESCRIPTION_MAX, Role.editor,
        lambda c, a, ids, who, v: c.patch(
            a.url_path_for("update_source", id_or_slug=ids["source"]), headers=who.headers,
            json={"description": v},
        ),
        plain="description",
    ),
    "source match title": Target(
        "title", TITLE_MAX + SOURCE_NAME_MAX + 3, Role.editor,
        lambda c, a, ids, who, v: c.post(
            a.url_path_for("match_source"), headers=who.headers, json={"title": v}
        ),
    ),
    "token name": Target(
        "name", TOKEN_NAME_MAX, Role.author,
        lambda c, a, ids, who, v: c.post(
            a.url_path_for("create_token"), headers=who.headers, json={"name": v}
        ),
        plain="name",
    ),
    "user name": Target(
        "name", USER_NAME_MAX, Role.admin,
        lambda c, a, ids, who, v: c.post(
            a.url_path_for("create_user"), headers=who.headers,
            json={"name": _unique(v, USER_NAME_MAX)},
        ),
        plain="name",
    ),
    "changed user name": Target(
        "name", USER_NAME_MAX, Role.admin,
        lambda c, a, ids, who, v: c.patch(
            a.url_path_for("update_user", user_id=str(ids["user"])), headers=who.headers,
            json={"name": _unique(v, USER_NAME_MAX)},
        ),
        plain="name",
    ),
    "search query": Target(
        "q", QUERY_MAX, Role.author,
        lambda c, a, ids, who, v: c.get(a.url_path_for("search"), params={"q": v}),
        oversized=False,  # no URL carries it: the server refuses such a request line
    ),
    "list query": Target(
        "q", QUERY_MAX, Role.author,
        lambda c, a, ids, who, v: c.get(a.url_path_for("list_posts"), params={"q": v}),
        oversized=False,
    ),
    "like's post": Target(
        "id_or_slug", 200, Role.author,
        lambda c, a, ids, who, v: c.post(
            a.url_path_for("like_post", id_or_slug="x").removesuffix("x/likes")
            + quote(v, safe="")
            + "/likes"
        ),
        oversized=False,
    ),
}  # fmt: skip


def _offence(target: Target, response: Response, cpu: float) -> str | None:
    """What is wrong with one answer, if anything."""
    if cpu > CPU_SECONDS_MAX:
        return f"{cpu:.2f} s of CPU"
    if response.status_code in (200, 201):
        if target.plain is not None:
            value = response.json()[target.plain] or ""
            if _MARKUP.search(value):
                return f"{target.plain} keeps markup: {value[:60]!r}"
        return None
    if response.status_code in (404, 413):
        return None  # no such post to like; a request body over the limit for all fields
    if response.status_code != 422:
        return f"status {response.status_code}"
    detail = response.json().get("detail", "")
    if target.field not in detail:
        return f"422 without the field in its detail: {detail[:100]!r}"
    return None


@pytest.mark.parametrize("name", TARGETS)
def test_hostile_input_is_cheap_and_answered(
    app: FastAPI, client: TestClient, db: Database, name: str
) -> None:
    target = TARGETS[name]
    who = make_account(db, target.role)
    ids = {
        "post": make_post(db, who, status="draft").id if target.role is Role.author else 0,
        "source": make_source(db).slug,
        "user": make_account(db, Role.author).viewer.user_id,
    }
    values = corpus(target.limit)
    if target.oversized:
        values["far over the limit"] = OVERSIZED
    offences = []
    for shape, value in values.items():
        sent: list[Any] = []
        cpu = cpu_seconds(
            lambda: sent.append(target.send(client, app, ids, who, value)),  # noqa: B023
            all_threads=True,
        )
        response = sent[0]
        offence = _offence(target, response, cpu)
        if offence is not None:
            offences.append(f"{shape}: {offence}")
    assert not offences, f"{name}: " + "; ".join(offences)


@dataclass(frozen=True)
class Call:
    """Where a piece of cleaning or rendering ran."""

    on_event_loop: bool
    write_lock_free: bool


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def calls(db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Call]]:
    """The calls of the markup stripping and of the rendering of post bodies, recorded."""
    recorded: dict[str, list[Call]] = {"strip_tags": [], "render_markdown": []}

    def recording(name: str, function: Callable[..., str]) -> Callable[..., str]:
        def call(*args: Any, **kwargs: Any) -> str:
            recorded[name].append(Call(_on_event_loop(), write_lock_free(db)))
            return function(*args, **kwargs)

        return call

    # Where the text validators and the post schemas call them.
    monkeypatch.setattr("app.core.text.strip_tags", recording("strip_tags", strip_tags))
    monkeypatch.setattr(
        "app.posts.schemas.render_markdown", recording("render_markdown", render_markdown)
    )
    return recorded


def test_markup_is_cleaned_and_bodies_rendered_off_the_event_loop_and_outside_writes(
    app: FastAPI, client: TestClient, db: Database, calls: dict[str, list[Call]]
) -> None:
    author, editor = make_account(db, Role.author), make_account(db, Role.editor)
    created = client.post(
        app.url_path_for("create_post"),
        headers=author.headers,
        json={"title": "<b>Fett</b> gedruckt", "body": "> Ein *Zitat*", "tags": ["<i>Tag</i>"]},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["title"], created.json()["tags"]) == ("Fett gedruckt", tagged("Tag"))
    changed = client.patch(
        app.url_path_for("update_post", id_or_slug=str(created.json()["id"])),
        headers=author.headers,
        json={"body": "Neu <div>und</div> anders"},
    )
    assert changed.status_code == 200, changed.text
    token = client.post(
        app.url_path_for("create_token"), headers=author.headers, json={"name": "<i>Mein</i> Gerät"}
    )
    assert token.status_code == 201
    assert token.json()["name"] == "Mein Gerät"
    source = client.post(
        app.url_path_for("create_source"),
        headers=editor.headers,
        json={"name": "<b>Neue</b> Quelle", "description": "<p>Eine Agentur</p>"},
    )
    assert source.status_code == 201, source.text
    assert (source.json()["name"], source.json()["description"]) == ("Neue Quelle", "Eine Agentur")

    assert len(calls["strip_tags"]) >= 5
    assert len(calls["render_markdown"]) == 2
    everything = calls["strip_tags"] + calls["render_markdown"]
    # Nothing of it on the event loop, where it would hold up every other request...
    assert not any(call.on_event_loop for call in everything)
    # ... nor while the request's write transaction holds SQLite's write lock (or is open).
    assert all(call.write_lock_free for call in everything)


def test_a_text_over_its_limit_is_refused_before_any_cleaning(
    app: FastAPI, client: TestClient, db: Database, calls: dict[str, list[Call]]
) -> None:
    author = make_account(db, Role.author)
    calls["strip_tags"].clear()  # the account's name
    for path, json in [
        (app.url_path_for("create_post"), {"title": OVERSIZED}),
        (app.url_path_for("create_post"), {"title": "Text", "credit": OVERSIZED}),
        (app.url_path_for("create_token"), {"name": OVERSIZED}),
    ]:
        response = client.post(path, headers=author.headers, json=json)
        assert response.status_code == 422
        assert "at most" in response.json()["detail"]
    assert calls["strip_tags"] == []


def test_a_body_nested_too_deep_is_refused_and_one_at_the_limit_is_stored(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author = make_account(db, Role.author)
    url = app.url_path_for("create_post")
    for body in [">" * (MAX_NESTING + 1), "- " * (MAX_NESTING + 1) + "x", "<div>" * 40000]:
        refused = client.post(url, headers=author.headers, json={"title": "Tief", "body": body})
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        detail = refused.json()["detail"]
        assert detail.startswith("body: ")
        assert str(MAX_NESTING) in detail
    stored = client.post(
        url,
        headers=author.headers,
        json={"title": "Tief", "body": ">" * (MAX_NESTING - 1) + " Kern"},
    )
    assert stored.status_code == 201
    assert stored.json()["body_html"].count("<blockquote>") == MAX_NESTING - 1
    assert stored.json()["excerpt"] == "Kern"
    listed = client.get(url, headers=author.headers, params={"status": "draft"}).json()
    assert [post["title"] for post in listed["items"]] == ["Tief"]


def test_a_stored_body_nested_too_deep_renders_as_its_text() -> None:
    """What an import or a restore brings along (written before the limit) is not refused:
    it is shown as the text it is, at a cost linear in its length."""
    body = "Vorher\n\n" + ">" * 200_000
    rendered = render_markdown(body)
    assert rendered.startswith("<p>Vorher</p>\n<p>&gt;&gt;&gt;")
    assert "<blockquote>" not in rendered
    with pytest.raises(TooDeeplyNested):
        render_markdown(body, strict=True)


def test_an_import_keeps_a_post_nested_too_deep_as_its_text(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """An export from elsewhere is not refused for its nesting: the post goes in, its body
    shown as text; its plain-text fields are cleaned as an editor's are."""
    imported = ImportedPost(
        position="1",
        title="Tief verschachtelt",
        body=">" * 50_000 + " Kern",
        credit="<b>Übersetzung</b>",
        status=PostStatus.published,
        published_at=datetime(2022, 1, 10, 9, tzinfo=UTC),
        import_key="https://blog.example/?p=1",
    )
    summary = PostImporter(db, zone=ZoneInfo("Europe/Berlin"), language="de").run([imported])
    assert (summary.created, summary.failed) == (1, 0), summary.failures
    listed = client.get(app.url_path_for("list_posts")).json()["items"]
    assert [(post["title"], post["credit"]) for post in listed] == [
        ("Tief verschachtelt", "Übersetzung")
    ]
    assert "<blockquote>" not in listed[0]["body_html"]
    assert listed[0]["body_html"].startswith("<p>&gt;&gt;&gt;")
