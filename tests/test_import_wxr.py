"""A WordPress export imported: what readers and editors see afterwards, on both databases."""

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.core.db import Database
from app.core.errors import Conflict, InvalidInput
from app.importers.archive_page import entry_key
from app.importers.files import import_wxr
from app.importers.records import ImportedAuthor, ImportedPost
from app.importers.service import ImportSummary, PostImporter
from app.posts import imports as post_imports
from app.posts.models import PostStatus
from tests.factories import make_account, tagged

BERLIN = ZoneInfo("Europe/Berlin")
BLOG = Path(__file__).parent / "data" / "blog.wxr"


def run_import(db: Database, data: bytes | None = None, dry_run: bool = False) -> ImportSummary:
    source = io.BytesIO(data) if data is not None else BLOG
    return import_wxr(db, source, zone=BERLIN, language="de", dry_run=dry_run)


def post(client: TestClient, app: FastAPI, slug: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(app.url_path_for("get_post", id_or_slug=slug), headers=headers)
    assert response.status_code == 200, (slug, response.text)
    found: dict[str, Any] = response.json()
    return found


def test_an_export_becomes_posts_sources_tags_and_authors(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    summary = run_import(db)
    assert (summary.created, summary.updated, summary.failed) == (6, 0, 1)
    assert summary.failures[0].position == "item 5 (post 420)"
    assert "is not a date" in summary.failures[0].reason
    assert summary.skip_reasons == {"an attachment, not a post": 1, "a page, not a post": 1}
    assert summary.new_sources == ["german-foreign-policy.com", "Global Times China", "TASS"]
    editor = make_account(db).headers

    # The umlaut slug, transliterated; the trailing domain is the source, the rest tags.
    first = post(client, app, "fuehrung-aus-einer-hand", editor)
    assert first["title"] == "Führung aus einer Hand: Astana ordnet seine Bahnen neu"
    assert first["source"]["name"] == "german-foreign-policy.com"
    assert first["original_url"] == "https://www.german-foreign-policy.com/news/detail/9001/"
    assert first["tags"] == tagged("Bahn", "Handel & Wandel", "Kasachstan")
    assert first["author"]["name"] == "Redaktion"
    assert first["published_at"] == "2022-01-10T08:15:00+01:00"
    assert "Weiterlesen" not in first["body"]
    assert first["excerpt"] == "Kasachstan bündelt seine Bahnen."  # written in WordPress
    # Block-editor content: comments gone, the credit and the link taken off its ends; the
    # category naming the publication is its source, the other one a tag.
    second = post(client, app, "gueterzuege-nach-europa", editor)
    assert second["source"]["name"] == "Global Times China"
    assert second["credit"] == "Übersetzung Linke Zeitung"
    assert second["author"]["name"] == "Jürgen Çelik"
    assert second["date"] == "2022-01-10"  # 23:30 UTC is the next day in Berlin
    assert "<!-- wp:" not in second["body"]
    assert second["excerpt"].startswith("Nach zwei Wochen Stillstand")  # none written: derived
    assert second["tags"] == tagged("Kasachstan", "Seidenstraße")
    # Drafts and private posts are drafts; a scheduled post waits for its date; a post in the
    # trash is there, its slug its own again, and goes back to what it was before.
    draft = post(client, app, "notizen-zur-energiekonferenz-in-almaty", editor)
    assert (draft["status"], draft["published_at"]) == ("draft", None)
    assert post(client, app, "quellenliste-zentralasien", editor)["status"] == "draft"
    scheduled = post(client, app, "wahlen-in-usbekistan", editor)
    assert (scheduled["status"], scheduled["source"]["name"]) == ("scheduled", "TASS")
    assert scheduled["published_at"].startswith("2030-02-01T07:00:00")
    trashed = post(client, app, "doppelt-eingestellt", editor)
    assert trashed["status"] == "trashed"
    restored = client.post(
        app.url_path_for("restore_post", id_or_slug="doppelt-eingestellt"), headers=editor
    )
    assert restored.json()["status"] == "published"
    client.delete(app.url_path_for("delete_post", id_or_slug="doppelt-eingestellt"),
                  headers=editor)  # fmt: skip
    for hidden in ("notizen-zur-energiekonferenz-in-almaty", "wahlen-in-usbekistan",
                   "doppelt-eingestellt"):  # fmt: skip
        assert client.get(app.url_path_for("get_post", id_or_slug=hidden)).status_code == 404
    public = client.get(app.url_path_for("list_posts")).json()
    assert public["total"] == 2


def test_importing_the_export_again_adds_nothing(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    run_import(db)
    editor = make_account(db).headers
    before = client.get(app.url_path_for("list_posts"), headers=editor).json()
    again = run_import(db)
    assert (again.created, again.updated, again.new_sources) == (0, 0, [])
    assert again.skip_reasons["imported before"] == 6
    assert client.get(app.url_path_for("list_posts"), headers=editor).json() == before


def test_a_post_changed_since_the_last_import_is_brought_up_to_date(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    run_import(db)
    newer = (
        BLOG.read_bytes()
        .replace(b"Astana ordnet seine Bahnen neu", b"Astana ordnet seine Bahnen anders")
        .replace(b"2022-01-10 08:02:30", b"2022-02-01 08:00:00")
    )
    summary = run_import(db, newer)
    assert (summary.created, summary.updated) == (0, 1)
    editor = make_account(db).headers
    changed = post(client, app, "fuehrung-aus-einer-hand", editor)  # its URL stays
    assert changed["title"] == "Führung aus einer Hand: Astana ordnet seine Bahnen anders"


def test_a_damaged_export_imports_the_posts_before_the_damage(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    header_and_four_items = BLOG.read_bytes().split(b"<item>")[:5]
    broken = b"<item>".join([*header_and_four_items, b"<title>Abgebro"])
    with pytest.raises(InvalidInput, match="not well-formed XML"):
        run_import(db, broken)
    # An attachment, two posts and a draft came before: running again after mending the
    # file adds the rest.
    editor = make_account(db).headers

    def slugs(**params: str) -> list[str]:
        listed = client.get(app.url_path_for("list_posts"), headers=editor, params=params)
        return sorted(post["slug"] for post in listed.json()["items"])

    assert slugs() == ["fuehrung-aus-einer-hand", "gueterzuege-nach-europa"]
    assert slugs(status="draft") == ["notizen-zur-energiekonferenz-in-almaty"]
    assert run_import(db).created == 3


def test_a_dry_run_writes_nothing(app: FastAPI, client: TestClient, db: Database) -> None:
    summary = run_import(db, dry_run=True)
    assert (summary.created, summary.failed) == (6, 1)
    editor = make_account(db).headers
    assert client.get(app.url_path_for("list_posts"), headers=editor).json()["total"] == 0
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 0


def item(key: str | None, title: str, **fields: Any) -> ImportedPost:
    values: dict[str, Any] = {
        "position": title,
        "title": title,
        "body": "Text.",
        "status": PostStatus.published,
        "published_at": datetime(2022, 1, 10, 9, tzinfo=UTC),
        "import_key": key,
        "original_url": "https://tass.ru/politika/1",
    }
    return ImportedPost(**values | fields)


def run_items(db: Database, *items: ImportedPost) -> ImportSummary:
    return PostImporter(db, zone=BERLIN, language="de").run(items)


def test_one_article_linked_by_two_wordpress_posts_gives_two_posts(db: Database) -> None:
    assert run_items(db, item("https://blog.example/?p=1", "Erster")).created == 1
    # Another WordPress post (its own GUID) that links the same article is a post of its own.
    assert run_items(db, item("https://blog.example/?p=2", "Zweiter")).created == 1
    # A post that came without a GUID (a day page, the API) is recognised by its link.
    again = run_items(db, item(entry_key(date(2022, 1, 10), "Erster"), "Erster"))
    assert (again.created, again.skip_reasons["imported before"]) == (0, 1)


def test_an_update_refused_by_a_concurrent_change_fails_alone_and_changes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = datetime(2022, 1, 10, 9, tzinfo=UTC)
    older = [
        item("https://blog.example/?p=1", "Erster", modified_at=first),
        item("https://blog.example/?p=2", "Zweiter", modified_at=first,
             original_url="https://tass.ru/politika/2"),
    ]  # fmt: skip
    assert run_items(db, *older).created == 2
    reimport = post_imports.reimport_post

    def refused_for_the_first(session: Session, **fields: Any) -> None:
        reimport(session, **fields)  # its changes are made, then refused
        if fields["data"].title == "Erster, neu":
            raise Conflict("Another writer took this post's import key meanwhile.")

    monkeypatch.setattr(post_imports, "reimport_post", refused_for_the_first)
    later = datetime(2022, 2, 1, 9, tzinfo=UTC)
    newer = [replace(one, title=f"{one.title}, neu", modified_at=later) for one in older]
    summary = run_items(db, *newer)
    assert (summary.updated, summary.failed) == (1, 1)
    assert summary.failures[0].position == "Erster"
    assert "import key meanwhile" in summary.failures[0].reason
    with db.engine.connect() as connection:
        titles = connection.execute(text("SELECT title FROM posts ORDER BY title")).scalars()
        assert list(titles) == ["Erster", "Zweiter, neu"]


def test_a_files_slug_never_fails_its_post(app: FastAPI, client: TestClient, db: Database) -> None:
    # WordPress allows slugs an editor here may not choose: all digits, or one taken here.
    summary = run_items(
        db,
        item("https://blog.example/?p=1", "Jahresrückblick", slug="2022", original_url=None),
        item("https://blog.example/?p=2", "Noch einer", slug="2022", original_url=None),
    )
    assert (summary.created, summary.failed) == (2, 0)
    slugs = [post["slug"] for post in client.get(app.url_path_for("list_posts")).json()["items"]]
    assert sorted(slugs) == ["beitrag-2022", "beitrag-2022-2"]


def test_an_item_twice_in_a_file_is_imported_once(db: Database) -> None:
    twice = item("https://blog.example/?p=7", "Zweimal")
    summary = run_items(db, twice, twice)
    assert (summary.created, summary.skip_reasons["appears twice in the file"]) == (1, 1)


def test_posts_added_together_never_share_a_slug(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    run_items(db, item("https://blog.example/?p=1", "Lagebericht", original_url=None))
    summary = run_items(
        db,
        *(
            item(f"https://blog.example/?p={number}", title, original_url=None)
            for number, title in enumerate(["Lagebericht", "Lagebericht 2", "Lagebericht"], 2)
        ),
    )
    assert (summary.created, summary.failed) == (3, 0)
    listed = client.get(app.url_path_for("list_posts"), params={"sort": "title"}).json()
    slugs = sorted(post["slug"] for post in listed["items"])
    assert slugs == ["lagebericht", "lagebericht-2", "lagebericht-2-2", "lagebericht-3"]


def test_a_batch_that_cannot_go_in_whole_goes_in_post_by_post(
    app: FastAPI, client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when another writer takes one post's slug between the batch's read and its insert.
    import_posts = post_imports.import_posts

    def conflicting(session: Session, entries: Any, **options: Any) -> None:
        import_posts(session, entries, **options)
        if any(entry.data.title == "Umstritten" for entry in entries):
            session.execute(text("INSERT INTO post_tags VALUES (-1, -1)"))  # any conflict

    monkeypatch.setattr(post_imports, "import_posts", conflicting)
    summary = run_items(
        db,
        *(
            item(f"https://blog.example/?p={number}", title, original_url=None, tags=["Lage"])
            for number, title in enumerate(["Erste", "Umstritten", "Dritte"])
        ),
    )
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.failures[0].position == "Umstritten"
    assert "conflicts with a post written at the same time" in summary.failures[0].reason
    listed = client.get(app.url_path_for("list_posts"), params={"sort": "title"}).json()
    assert [(post["title"], post["tags"]) for post in listed["items"]] == [
        ("Dritte", tagged("Lage")),
        ("Erste", tagged("Lage")),
    ]


def test_authors_and_sources_get_names_an_editor_could_give(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    summary = run_items(
        db,
        item(
            "https://blog.example/?p=1",
            "Eine Meldung (Hafener <b>Zeitung</b>)",
            author=ImportedAuthor("anna", display_name="Redaktion/Anna"),
        ),
        item(
            "https://blog.example/?p=2",
            "Noch eine",
            original_url=None,
            author=ImportedAuthor("<i>bert</i>", display_name=None),
        ),
    )
    assert (summary.created, summary.failed) == (2, 0), summary.failures
    listed = client.get(app.url_path_for("list_posts"), params={"sort": "title"}).json()
    by_title = {post["title"]: post for post in listed["items"]}
    # A display name with "/" cannot be a user name: the login is.
    assert by_title["Eine Meldung"]["author"]["name"] == "anna"
    assert by_title["Noch eine"]["author"]["name"] == "bert"
    # The title's publication is a source named as an editor would write it: no markup.
    assert summary.new_sources == ["Hafener Zeitung"]
    assert by_title["Eine Meldung"]["source"]["name"] == "Hafener Zeitung"
