"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the published posts, for the site and for
the filters of /posts, valid by their specifications, cached and validated like every read."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree
from pydantic import ValidationError

from app.auth.models import Role
from app.core.config import DEFAULT_SEARCH_LANGUAGES, Settings
from app.core.db import Database
from app.feeds.schemas import FeedFilters
from app.main import create_app
from app.posts.schemas import PostFilters
from app.search.index import index_queued
from tests.counting import count_queries
from tests.factories import Account, make_account, make_post, make_source

DATA = Path(__file__).parent / "data" / "feeds"
# RFC 4287, Appendix B, in RELAX NG's XML syntax (converted from atom.rnc beside it).
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))
JSON_FEED_SCHEMA = json.loads((DATA / "jsonfeed-1.1.schema.json").read_text())
FORMATS = ["rss", "atom", "json"]
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
ROUTES = {"rss": "rss_feed", "atom": "atom_feed", "json": "json_feed"}


def feed_url(app: FastAPI, format: str) -> str:
    return app.url_path_for(ROUTES[format])


def check_valid(format: str, body: bytes) -> None:
    """Valid by its specification, as readers parse it: the JSON Schema of JSON Feed 1.1;
    for XML, feedparser without complaint (bozo 0), and for Atom RFC 4287's schema."""
    if format == "json":
        jsonschema.validate(
            json.loads(body), JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker()
        )
        return
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if format == "atom" else "rss20")
    if format == "atom":
        document = etree.fromstring(body)
        assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log


def items(format: str, body: bytes) -> list[dict[str, Any]]:
    """Each item's title, link, id, HTML, tags, author and original article's link."""
    if format == "json":
        return [
            {
                "title": item["title"],
                "link": item["url"],
                "id": item["id"],
                "html": item["content_html"],
                "tags": item["tags"],
                "author": item["authors"][0]["name"],
                "original": item.get("external_url"),
            }
            for item in json.loads(body)["items"]
        ]
    found = []
    for entry in feedparser.parse(body).entries:
        via = [link.href for link in entry.get("links", []) if link.get("rel") == "via"]
        found.append(
            {
                "title": entry.title,
                "link": entry.link,
                "id": entry.id,
                "html": entry.content[0].value,
                "tags": [tag.term for tag in entry.get("tags", [])],
                "author": entry.author,
                "original": via[0] if via else None,
            }
        )
    return found


def titles(client: TestClient, app: FastAPI, format: str, **params: Any) -> list[str]:
    response = client.get(feed_url(app, format), params=params)
    assert response.status_code == 200, response.text
    check_valid(format, response.content)
    return [item["title"] for item in items(format, response.content)]


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, Role.editor, name="Anna")


@pytest.mark.parametrize("format", FORMATS)
def test_a_feed_of_the_site_is_valid_and_holds_the_published_posts_newest_first(
    client: TestClient, app: FastAPI, db: Database, editor: Account, format: str
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"], homepage_url="https://tass.ru/")
    make_post(
        db, editor, title="Raketen in Europa", body="Über **Raketen**.", source_id=tass.id,
        original_url="https://tass.ru/politika/1", credit="Übersetzung Linke Zeitung",
        tags=["Abrüstung", "NATO"], published_at="2022-01-10T10:00:00Z",
    )  # fmt: skip
    make_post(db, editor, title="Ohne Quelle", published_at="2022-01-11T10:00:00Z")
    make_post(db, editor, title="Entwurf", status="draft")
    make_post(db, editor, title="Geplant", status="scheduled", published_at="2099-01-01T00:00:00Z")

    response = client.get(feed_url(app, format))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(MEDIA_TYPES[format])
    check_valid(format, response.content)
    found = items(format, response.content)
    assert [item["title"] for item in found] == ["Ohne Quelle", "Raketen in Europa"]
    raketen = found[1]
    assert raketen["tags"] == ["Abrüstung", "NATO"]
    assert raketen["author"] == "Anna"
    assert raketen["original"] == "https://tass.ru/politika/1"
    # The full HTML, and where it comes from: the original article under its source's name,
    # and the credit.
    assert "<strong>Raketen</strong>" in raketen["html"]
    assert '<a href="https://tass.ru/politika/1">TASS</a>' in raketen["html"]
    assert "Übersetzung Linke Zeitung" in raketen["html"]
    # Links from the default template, on the request's base URL: the site-local day.
    assert raketen["link"] == "http://testserver/2022/01/10/raketen-in-europa/"
    assert raketen["id"].startswith("tag:testserver,")


def test_each_format_names_the_source_and_the_feeds_own_dates(
    client: TestClient, app: FastAPI, db: Database, editor: Account
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"], homepage_url="https://tass.ru/")
    make_post(db, editor, title="Älter", source_id=tass.id, credit="Foto: Xinhua",
              published_at="2022-01-10T10:00:00Z")  # fmt: skip
    make_post(db, editor, title="Neuer", published_at="2022-01-11T10:00:00Z")

    rss = feedparser.parse(client.get(feed_url(app, "rss")).content)
    assert rss.entries[1].source == {"href": "https://tass.ru/", "title": "TASS"}
    assert rss.entries[1].published_parsed[:4] == (2022, 1, 10, 10)
    assert rss.feed.link == "http://testserver/"

    atom = feedparser.parse(client.get(feed_url(app, "atom")).content)
    # The feed's date is its newest item's change (here: their writing, today).
    assert atom.feed.updated_parsed == max(entry.updated_parsed for entry in atom.entries)
    assert atom.feed.updated_parsed[0] >= 2026
    assert rss.feed.updated_parsed == atom.feed.updated_parsed
    assert atom.entries[1].published_parsed[:4] == (2022, 1, 10, 10)
    assert atom.entries[1].contributors == [{"name": "Foto: Xinhua"}]
    related = [link for link in atom.entries[1].links if link.rel == "related"]
    assert [(link.href, link.title) for link in related] == [("https://tass.ru/", "TASS")]

    document = client.get(feed_url(app, "json")).json()
    assert document["feed_url"] == "http://testserver" + feed_url(app, "json")
    assert document["items"][1]["_presseschau"] == {
        "source": {"slug": "tass", "name": "TASS", "url": "https://tass.ru/"},
        "credit": "Foto: Xinhua",
    }
    assert document["items"][1]["date_published"] == "2022-01-10T11:00:00+01:00"


@pytest.mark.parametrize("format", FORMATS)
def test_a_feed_takes_the_filters_of_posts(
    client: TestClient, app: FastAPI, db: Database, editor: Account, format: str
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    jw = make_source(db, name="junge Welt", domains=["jungewelt.de"])
    make_post(db, editor, title="Raketen in Europa", source_id=tass.id, tags=["Abrüstung"],
              published_at="2022-01-09T23:30:00Z")  # fmt: skip
    make_post(db, editor, title="Techkonzerne", body="Algorithmen offen", source_id=jw.id,
              published_at="2022-01-10T12:00:00Z")  # fmt: skip
    make_post(db, editor, title="Ohne Quelle", published_at="2022-01-11T12:00:00Z")
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)

    assert titles(client, app, format, source="tass") == ["Raketen in Europa"]
    assert titles(client, app, format, source=["tass", "junge-welt"]) == [
        "Techkonzerne",
        "Raketen in Europa",
    ]
    assert titles(client, app, format, source="unbekannt") == []
    assert titles(client, app, format, tag="abruestung") == ["Raketen in Europa"]
    # The site's day: 23:30 UTC on the 9th is the 10th in Berlin.
    assert titles(client, app, format, date="2022-01-10") == [
        "Techkonzerne",
        "Raketen in Europa",
    ]
    assert titles(client, app, format, q="Algorithmen") == ["Techkonzerne"]
    # A month: after and before.
    january = {"after": "2022-01-10T00:00:00+01:00", "before": "2022-01-11T00:00:00+01:00"}
    assert titles(client, app, format, **january) == ["Techkonzerne", "Raketen in Europa"]
    assert titles(client, app, format, per_page=2) == ["Ohne Quelle", "Techkonzerne"]


@pytest.mark.parametrize(
    "params",
    [
        {"sources": "tass"},  # unknown parameter
        {"tag": "Not A Slug"},
        {"date": "2022-13-01"},
        {"q": "%"},  # nothing to search for
        {"per_page": "0"},
        {"per_page": "101"},
        {"status": "draft"},  # feeds are of published posts alone
    ],
)
def test_a_bad_filter_is_the_same_problem_as_on_posts(
    client: TestClient, app: FastAPI, params: dict[str, str]
) -> None:
    listed = client.get(app.url_path_for("list_posts"), params=params)
    for format in FORMATS:
        response = client.get(feed_url(app, format), params=params)
        assert response.status_code == 422, (format, params)
        assert response.headers["content-type"] == "application/problem+json"
        if "status" in params or "sources" in params:
            # Named as unknown, with the parameters a feed takes.
            assert "per_page" in response.json()["detail"]
        else:
            assert response.json()["detail"] == listed.json()["detail"]


# What /posts takes that is not a filter of which posts are shown: a feed is always of
# published posts, newest first. (Paging is no filter either: a feed takes per_page, but
# neither page nor cursor, which are not PostFilters.)
NOT_FEED_FILTERS = {"status", "sort"}


def test_a_feed_takes_every_filter_posts_takes() -> None:
    """A filter added to /posts must be added to feeds too (or named above, if it is none),
    and checked the same way."""
    posts = {
        name: (field.annotation, field.metadata) for name, field in PostFilters.model_fields.items()
    }
    feeds = {
        name: (field.annotation, field.metadata) for name, field in FeedFilters.model_fields.items()
    }
    assert feeds == {name: kind for name, kind in posts.items() if name not in NOT_FEED_FILTERS}


def test_a_feed_refuses_fields(client: TestClient, app: FastAPI, db: Database) -> None:
    """/posts narrows its posts with fields (no filter either); a feed's items have the shape
    their format prescribes, so it does not take it, and says so rather than ignore it."""
    for format in FORMATS:
        response = client.get(feed_url(app, format), params={"fields": "id,title"})
        assert response.status_code == 422, format
        assert response.headers["content-type"] == "application/problem+json"
        assert "fields" in response.text


def test_a_token_does_not_widen_a_feed(
    client: TestClient, app: FastAPI, db: Database, editor: Account
) -> None:
    make_post(db, editor, title="Öffentlich")
    make_post(db, editor, title="Entwurf", status="draft")
    for format in FORMATS:
        response = client.get(feed_url(app, format), headers=editor.headers)
        assert [item["title"] for item in items(format, response.content)] == ["Öffentlich"]
        assert response.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize("format", FORMATS)
def test_a_feed_is_validated_and_changes_its_etag_when_a_post_is_published(
    client: TestClient, app: FastAPI, db: Database, editor: Account, format: str
) -> None:
    make_post(db, editor, title="Erster")
    draft = make_post(db, editor, title="Zweiter", status="draft")
    url = feed_url(app, format)

    first = client.get(url)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    published = client.patch(
        app.url_path_for("update_post", id_or_slug=str(draft.id)),
        json={"status": "published", "published_at": "2022-01-11T10:00:00Z"},
        headers=editor.headers,
    )
    assert published.status_code == 200
    now = client.get(url, headers={"If-None-Match": etag})
    assert now.status_code == 200
    assert now.headers["etag"] != etag
    assert items(format, now.content)[0]["title"] == "Zweiter"


@pytest.mark.parametrize("format", FORMATS)
def test_head_answers_a_feed_as_get_does_without_a_body(
    client: TestClient, app: FastAPI, db: Database, editor: Account, format: str
) -> None:
    make_post(db, editor)
    url = feed_url(app, format) + "?per_page=5"
    for _ in range(2):  # the second answered from the response cache
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-type"] == get.headers["content-type"]
        assert int(head.headers["content-length"]) == len(get.content)


def test_the_number_of_statements_does_not_grow_with_the_items(
    client: TestClient, app: FastAPI, db: Database, editor: Account
) -> None:
    def statements(url: str) -> int:
        with count_queries(db) as sent:
            assert client.get(url).status_code == 200
        return len([s for s in sent if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))])

    source = make_source(db, homepage_url="https://quelle.example/")
    make_post(db, editor, source_id=source.id, tags=["Eins"])
    one = statements(feed_url(app, "atom") + "?per_page=50")
    for number in range(30):
        other = make_source(db, homepage_url=f"https://quelle{number}.example/")
        make_post(db, editor, source_id=other.id, tags=["Eins", f"Tag {number}"])
    assert statements(feed_url(app, "atom") + "?per_page=50") == one


def hostile_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"response_cache_mb": 0})


@pytest.mark.parametrize("format", FORMATS)
def test_hostile_text_stays_valid_and_cheap(
    settings: Settings, db: Database, editor: Account, format: str
) -> None:
    from app.posts.models import BODY_MAX, CREDIT_MAX, TITLE_MAX
    from tests.cost import cpu_seconds

    nasty = "]]> <script>alert(1)</script> \x01\x08\x0b\x0c\x1f\ufffe & <![CDATA[ x ]]> "
    title = (nasty * (TITLE_MAX // len(nasty) + 1))[:TITLE_MAX]
    body = (nasty * (BODY_MAX // len(nasty) + 1))[:BODY_MAX]
    source = make_source(db, name="Quelle ]]> <b>", homepage_url="https://q.example/?a=1&b=2")
    for number in range(5):
        make_post(
            db, editor, title=f"{number} {title}"[:TITLE_MAX], body=body, source_id=source.id,
            credit=(nasty * 10)[:CREDIT_MAX], tags=["]]>", "a < b & c"],
            original_url="https://q.example/a?x=1&y=<2>",
        )  # fmt: skip
    with TestClient(create_app(hostile_settings(settings), db)) as client:
        # The posts hold characters XML 1.0 forbids (JSON escapes them).
        listed = client.get(client.app.url_path_for("list_posts")).text  # type: ignore[attr-defined]
        assert "\\u0001" in listed
        assert "\\u000b" in listed
        url = client.app.url_path_for(ROUTES[format])  # type: ignore[attr-defined]
        sent: list[Any] = []
        cpu = cpu_seconds(lambda: sent.append(client.get(url)), all_threads=True)
    response = sent[0]
    assert response.status_code == 200
    check_valid(format, response.content)
    found = items(format, response.content)
    assert len(found) == 5
    if format != "json":
        # Nothing of what XML forbids, and the text itself is kept: the markup in a title is
        # text, not elements.
        assert b"\x01" not in response.content
        assert b"\x0b" not in response.content
        assert "]]> & ]]>" in " ".join(found[0]["title"].split())
    # Cleaned HTML: the script is text, never an element.
    assert "<script>" not in found[0]["html"]
    assert cpu < 1.0, f"{cpu:.2f} s of CPU for a feed of 5 posts at the limits"


@pytest.fixture
def linked(settings: Settings, db: Database) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "public_url": "https://blog.example/presse",
            "post_link_template": "{public_url}/artikel/{yyyy}-{mm}-{dd}/{id}/{slug}",
            "site_title": "Linke Presseschau",
        }
    )
    # Settings validate when they are read: what model_copy skips is checked here.
    Settings.model_validate(configured.model_dump())
    with TestClient(create_app(configured, db)) as client:
        yield client


@pytest.mark.parametrize("format", FORMATS)
def test_links_are_made_from_the_public_url_and_the_template(
    linked: TestClient, db: Database, editor: Account, format: str
) -> None:
    post = make_post(db, editor, title="Raketen", published_at="2022-01-09T23:30:00Z")
    url = linked.app.url_path_for(ROUTES[format])  # type: ignore[attr-defined]
    response = linked.get(url, params={"tag": "nato"})
    check_valid(format, response.content)
    assert items(format, response.content) == []
    response = linked.get(url)
    [item] = items(format, response.content)
    # The site-local day (Berlin), the id and the slug.
    assert item["link"] == f"https://blog.example/presse/artikel/2022-01-10/{post.id}/raketen"
    assert item["id"].startswith("tag:blog.example,")
    if format == "json":
        document = response.json()
        assert document["home_page_url"] == "https://blog.example/presse/"
        assert document["title"] == "Linke Presseschau"
    else:
        parsed = feedparser.parse(response.content)
        assert parsed.feed.title == "Linke Presseschau"
        assert parsed.feed.link == "https://blog.example/presse/"


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("post_link_template", "{public_url}/{year}/{slug}", "unknown placeholder {year}"),
        ("post_link_template", "{public_url}/{slug!r}", "plainly"),
        ("post_link_template", "{public_url}/{slug", "post link template"),
        ("post_link_template", "/{yyyy}/{slug}", "absolute"),
        ("public_url", "blog.example", "absolute"),
        ("public_url", "ftp://blog.example", "absolute"),
        ("public_url", "https://blog.example/?a=1", "query"),
    ],
)
def test_a_bad_link_setting_is_refused_at_start_up(setting: str, value: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        Settings.model_validate({setting: value})


def test_good_link_settings_are_taken() -> None:
    settings = Settings(
        public_url="https://blog.example/", post_link_template="https://www.example.org/p/{id}"
    )
    assert settings.public_url == "https://blog.example"
    assert settings.post_link_template == "https://www.example.org/p/{id}"


def test_an_empty_feed_is_valid_in_every_format(client: TestClient, app: FastAPI) -> None:
    for format in FORMATS:
        response = client.get(feed_url(app, format))
        assert response.status_code == 200
        check_valid(format, response.content)
        assert items(format, response.content) == []


def test_the_feeds_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for format in FORMATS:
        operation = spec["paths"][f"/api/v1/feeds/posts.{format}"]["get"]
        assert MEDIA_TYPES[format] in operation["responses"]["200"]["content"]
        assert "422" in operation["responses"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"source", "tag", "date", "after", "before", "q", "per_page"} <= parameters
        assert "PRESSESCHAU_POST_LINK_TEMPLATE" in operation["description"]
