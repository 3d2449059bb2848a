"""A WordPress export's revisions become the imported post's earlier revisions (both
databases)."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from tests.factories import make_account

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Blick in die Presse</title>
  <link>https://blog.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://blog.example</wp:base_site_url>
"""


def _item(post_id: int, kind: str, title: str, body: str, saved: str, parent: int = 0) -> str:
    status = "publish" if kind == "post" else "inherit"
    guid = f"https://blog.example/?p={post_id}"
    return f"""  <item>
    <title><![CDATA[{title}]]></title>
    <dc:creator><![CDATA[redaktion]]></dc:creator>
    <guid isPermaLink="false">{guid}</guid>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date><![CDATA[{saved}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{saved}]]></wp:post_date_gmt>
    <wp:post_modified_gmt><![CDATA[{saved}]]></wp:post_modified_gmt>
    <wp:post_name><![CDATA[{post_id}-revision-v1]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>{parent}</wp:post_parent>
    <wp:post_type><![CDATA[{kind}]]></wp:post_type>
  </item>
"""


EXPORT = (
    HEADER
    + _item(10, "post", "Bahnen neu geordnet", "Die endgültige Fassung.", "2022-01-10 09:00:00")
    + _item(11, "revision", "Bahnen", "Ein erster Entwurf.", "2022-01-10 07:00:00", parent=10)
    + _item(12, "revision", "Bahnen neu", "Ein zweiter Entwurf.", "2022-01-10 08:00:00", parent=10)
    + _item(13, "revision", "Waise", "Zu keinem Beitrag.", "2022-01-10 08:30:00", parent=99)
    + "</channel>\n</rss>\n"
)


def _revisions(client: TestClient, headers: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
    found = client.get("/api/v1/posts", headers=headers).json()["items"]
    (post,) = [post for post in found if post["title"] == "Bahnen neu geordnet"]
    listed = client.get(f"/api/v1/posts/{post['id']}/revisions", headers=headers).json()
    return post["id"], listed["items"]


def test_wordpress_revisions_come_before_the_imported_state(
    settings: Settings, db: Database, client: TestClient, command_line: Any, tmp_path: Path
) -> None:
    export = tmp_path / "export.xml"
    export.write_text(EXPORT, encoding="utf-8")
    imported = command_line(settings.database_url, "import", "wxr", str(export))
    assert imported.exit_code == 0, imported.output
    assert "earlier states of posts kept as their revisions: 2" in imported.output
    assert "a revision of a post not imported" in imported.output
    editor = make_account(db).headers

    post_id, listed = _revisions(client, editor)
    assert [item["number"] for item in listed] == [3, 2, 1]
    assert [item["created_at"][:19] for item in listed[1:]] == [
        "2022-01-10T08:00:00", "2022-01-10T07:00:00",
    ]  # fmt: skip
    assert all(item["actor"]["kind"] == "cli" for item in listed)
    first = client.get(f"/api/v1/posts/{post_id}/revisions/1", headers=editor).json()
    assert (first["snapshot"]["title"], first["snapshot"]["body"]) == (
        "Bahnen", "Ein erster Entwurf.",
    )  # fmt: skip
    second = client.get(f"/api/v1/posts/{post_id}/revisions/2", headers=editor).json()
    assert second["changes"][0] == {"field": "title", "old": "Bahnen", "new": "Bahnen neu"}
    assert second["body_diff"]["hunks"][0]["lines"] == [
        "-Ein erster Entwurf.",
        "+Ein zweiter Entwurf.",
    ]
    current = client.get(f"/api/v1/posts/{post_id}/revisions/3", headers=editor).json()
    assert current["snapshot"]["body"] == "Die endgültige Fassung."
    assert {"title", "body"} <= set(current["changed"])

    # The same file again adds nothing.
    again = command_line(settings.database_url, "import", "wxr", str(export))
    assert again.exit_code == 0, again.output
    assert "a revision imported before" in again.output
    assert _revisions(client, editor)[1] == listed

    # Restoring the first draft is an edit like any other.
    restored = client.post(f"/api/v1/posts/{post_id}/revisions/1/restore", headers=editor)
    assert restored.status_code == 200
    assert restored.json()["body"] == "Ein erster Entwurf."


def test_a_revision_saved_between_two_kept_ones_is_put_between_them(
    settings: Settings, db: Database, client: TestClient, command_line: Any, tmp_path: Path
) -> None:
    """Imported in two files: the second's revision goes before the states the first kept,
    and the revision after it then differs from it."""
    first = tmp_path / "first.xml"
    first.write_text(
        HEADER
        + _item(10, "post", "Bahnen neu geordnet", "Die endgültige Fassung.", "2022-01-10 09:00:00")
        + _item(
            12, "revision", "Bahnen neu", "Ein zweiter Entwurf.", "2022-01-10 08:00:00", parent=10
        )
        + "</channel>\n</rss>\n",
        encoding="utf-8",
    )
    assert command_line(settings.database_url, "import", "wxr", str(first)).exit_code == 0
    second = tmp_path / "second.xml"
    second.write_text(EXPORT, encoding="utf-8")
    assert command_line(settings.database_url, "import", "wxr", str(second)).exit_code == 0
    editor = make_account(db).headers
    post_id, listed = _revisions(client, editor)
    assert [item["number"] for item in listed] == [3, 2, 1]
    assert [item["created_at"][:13] for item in listed[1:]] == ["2022-01-10T08", "2022-01-10T07"]
    between = client.get(f"/api/v1/posts/{post_id}/revisions/2", headers=editor).json()
    assert between["previous"] == 1
    assert [change["field"] for change in between["changes"]] == ["title", "excerpt"]
    assert between["changed"] == ["title", "excerpt", "body"]
