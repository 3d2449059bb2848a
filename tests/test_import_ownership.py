"""An import changes only the posts an import made from the same item, never one written by
hand or made from another item, however much newer the file's version is."""

import io
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.db import Database
from app.importers.files import import_archive_page, import_wxr
from app.importers.report import summary_lines
from app.importers.service import ImportSummary
from tests.factories import make_account, make_post
from tests.test_wxr import export

BERLIN = ZoneInfo("Europe/Berlin")
HARBOUR = "https://hafenblatt.example/2023/03/haefen"
FERRIES = "https://seeweg.example/linien"


def wxr_item(post_id: int, title: str, url: str, *, status: str, modified: str) -> str:
    return f"""<item><title>{title}</title>
<guid isPermaLink="false">https://blog.example/?p={post_id}</guid>
<content:encoded><![CDATA[<p>Ein anderer Text.</p>
<p><a href="{url}">{url}</a></p>]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date_gmt>2023-03-03 08:00:00</wp:post_date_gmt>
<wp:post_modified_gmt>{modified}</wp:post_modified_gmt>
<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>
</item>
"""


def run_wxr(db: Database, *items: str) -> ImportSummary:
    return import_wxr(db, io.BytesIO(export(*items)), zone=BERLIN, language="de")


def read(client: TestClient, app: FastAPI, post_id: int, headers: dict[str, str]) -> Any:
    response = client.get(app.url_path_for("get_post", id_or_slug=str(post_id)), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_post_written_by_hand_is_never_changed_by_an_import(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db, Role.editor)
    author = make_account(db, Role.author)
    published = make_post(
        db, editor, title="Häfen von Hand", body="Von Hand geschrieben.", original_url=HARBOUR
    )
    draft = make_post(
        db,
        author,
        title="Ein privater Entwurf",
        body="Noch nicht fertig.",
        status="draft",
        published_at=None,
        original_url=FERRIES,
    )
    before = [
        read(client, app, published.id, editor.headers),
        read(client, app, draft.id, author.headers),
    ]
    # Newer versions of "the same" articles: the published one as a draft, the draft published.
    summary = run_wxr(
        db,
        wxr_item(1, "Überschrieben", HARBOUR, status="draft", modified="2030-01-01 00:00:00"),
        wxr_item(2, "Veröffentlicht", FERRIES, status="publish", modified="2030-01-01 00:00:00"),
    )
    assert (summary.created, summary.updated, summary.failed) == (0, 0, 0)
    reasons = {
        f"a post written by hand has this original URL: post {published.id}": 1,
        f"a post written by hand has this original URL: post {draft.id}": 1,
    }
    assert summary.skip_reasons == reasons
    assert f"  skipped 1: a post written by hand has this original URL: post {draft.id}" in (
        summary_lines(summary, dry_run=False)
    )
    after = [
        read(client, app, published.id, editor.headers),
        read(client, app, draft.id, author.headers),
    ]
    assert after == before
    # The draft stays private: readers do not see it.
    public = client.get(app.url_path_for("list_posts")).json()
    assert [post["title"] for post in public["items"]] == ["Häfen von Hand"]


def test_a_post_another_item_made_is_not_changed_by_this_one(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    page = f"""3. März 2023

Häfen im Wandel

Die Umschlagzahlen steigen wieder.

{HARBOUR}
"""
    assert import_archive_page(db, page, zone=BERLIN, language="de").created == 1
    editor = make_account(db).headers
    url = app.url_path_for("day_archive", year=2023, month="03", day="03")
    [imported] = client.get(url).json()["items"]
    before = read(client, app, imported["id"], editor)
    summary = run_wxr(
        db, wxr_item(1, "Überschrieben", HARBOUR, status="draft", modified="2030-01-01 00:00:00")
    )
    assert (summary.created, summary.updated, summary.skip_reasons) == (
        0,
        0,
        {"imported before": 1},
    )
    assert read(client, app, imported["id"], editor) == before
