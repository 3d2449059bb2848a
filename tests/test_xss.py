"""Stored XSS: markup in any field is sanitised on write, whatever route it comes through."""

import html
import random
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from app.core.html import strip_tags
from tests.factories import make_account

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="JaVaScRiPt:alert(1)">klick</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[klick](javascript:alert(1))",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
]
SAFE_TAGS = {"p", "a", "img", "iframe", "em", "strong", "br", "code", "pre", "blockquote"}


class MarkupAudit(HTMLParser):
    """Collects what a browser would see as elements and attributes, not as text."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and value is not None:
                url = urlsplit(value.strip())
                if url.scheme not in ("", "http", "https", "mailto"):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if tag == "iframe" and url.hostname == "evil.example":
                    self.problems.append(f"iframe from {url.hostname}")


def markup_problems(fragment: str) -> list[str]:
    audit = MarkupAudit()
    audit.feed(fragment)
    audit.close()
    return audit.problems


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_strings_are_harmless_in_every_field(
    app: FastAPI, client: TestClient, db: Database, attack: str
) -> None:
    editor = make_account(db)
    source = client.post(
        app.url_path_for("create_source"),
        headers=editor.headers,
        json={"name": f"Quelle {attack}", "description": f"Beschreibung {attack}"},
    )
    assert source.status_code == 201, source.text
    post = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={
            "title": f"Titel {attack}",
            "body": f"Absatz {attack}\n\n{attack}",
            "credit": f"Übersetzung {attack}",
            "tags": [f"T {attack}"[:60]],
            "source_id": source.json()["id"],
            "status": "published",
        },
    )
    assert post.status_code == 201, post.text
    created = post.json()
    assert created.pop("source_match") is None  # a source_id was sent
    # Readers (anonymous, so by the direct reads) get exactly what is checked below.
    assert client.get(app.url_path_for("get_post", id_or_slug=created["slug"])).json() == created
    assert client.get(app.url_path_for("list_posts")).json()["items"] == [created]
    tags = [text for tag in created["tags"] for text in (tag["slug"], tag["name"])]
    plain_fields = [created["title"], created["credit"], *tags, created["excerpt"]]
    plain_fields += [source.json()["name"], source.json()["description"]]
    for value in plain_fields:
        assert not re.search(r"<\s*[a-z!/]", value, re.IGNORECASE), value
    assert markup_problems(created["body_html"]) == [], created["body_html"]


def test_allowed_markup_and_video_embeds_survive(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    body = (
        "**Fett** und <em>kursiv</em>\n\n"
        '<iframe src="https://www.youtube-nocookie.com/embed/abc" allowfullscreen></iframe>\n\n'
        "https://www.globaltimes.cn/page/1.shtml"
    )
    response = client.post(
        app.url_path_for("create_post"), headers=editor.headers, json={"title": "T", "body": body}
    )
    html = response.json()["body_html"]
    assert "<strong>Fett</strong>" in html
    assert "<em>kursiv</em>" in html
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc"' in html
    assert (
        '<a href="https://www.globaltimes.cn/page/1.shtml" rel="noopener noreferrer nofollow">'
        in html
    )
    assert response.json()["body"] == body


def test_plain_text_keeps_its_ampersands_and_comparisons(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    response = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={"title": "AT&T meldet: 3 < 5 – „Zitat“"},
    )
    assert response.json()["title"] == "AT&T meldet: 3 < 5 – „Zitat“"


def _stripped_until_nothing_changes(text: str) -> str:
    for _ in range(10):
        stripped = html.unescape(
            nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
        )
        if stripped == text:
            break
        text = stripped
    return text


def test_tags_are_stripped_as_repeating_until_nothing_changes_would() -> None:
    """strip_tags stops as soon as a further round could change nothing: never earlier."""
    pieces = [
        "Text", " ", "\n", "\r\n", "\r", "\x00", "\xa0", "&", "&amp;", "&amp;lt;b&amp;gt;",
        "&lt;", "&gt;", "&#13;", "&#0;", "&nbsp;", "<b>", "</b>", "<script>x</script>", "<",
        ">", "3 < 5", "AT&T", '"', "'", "<!-- c -->", "&lt;i&gt;", "ä", "<p>", "&bogus;",
    ]  # fmt: skip
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10)))
        assert strip_tags(text) == _stripped_until_nothing_changes(text), repr(text)
