"""What an import stores, an export restores: imports apply the limits the API and the restore
apply, report an item over them and go on; the restore refuses such a value in one line."""

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.core.db import Database
from app.core.errors import InvalidInput
from app.importers.files import import_wxr
from app.posts.models import IMPORT_KEY_MAX
from tests import test_transfer
from tests.test_transfer import NewDatabase, export_bytes, restore_bytes, row_counts
from tests.test_wxr import export

BERLIN = ZoneInfo("Europe/Berlin")
# The export tests' fixtures: new databases, and the command line run in this process.
new_database = test_transfer.new_database


def wxr_item(post_id: int, title: str, guid: str) -> str:
    return f"""<item><title>{title}</title>
<guid isPermaLink="false">{guid}</guid>
<content:encoded><![CDATA[<p>Ein Absatz.</p>]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date_gmt>2023-03-03 08:00:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item>
"""


def test_a_guid_over_the_limit_is_reported_and_the_import_restores(
    db: Database, new_database: NewDatabase, backend: str
) -> None:
    long_guid = "https://blog.example/?p=2/" + "x" * IMPORT_KEY_MAX
    document = export(
        wxr_item(1, "Davor", "https://blog.example/?p=1"),
        wxr_item(2, "Zu lang", long_guid),
        wxr_item(3, "Danach", "https://blog.example/?p=3"),
    )
    summary = import_wxr(db, io.BytesIO(document), zone=BERLIN, language="de")
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.failures[0].position == "item 2 (post 2)"
    assert "GUID" in summary.failures[0].reason
    assert f"at most {IMPORT_KEY_MAX}" in summary.failures[0].reason
    _url, target = new_database(backend)
    assert restore_bytes(target, export_bytes(db))["posts"] == 2


PAGE = "3. März 2023\n\nHäfen im Wandel\n\nDie Umschlagzahlen steigen wieder.\n"


def test_an_author_that_cannot_be_a_user_is_refused_in_one_line(
    new_database: NewDatabase,
    backend: str,
    command_line: Callable[..., Any],
    tmp_path: Path,
) -> None:
    url, database = new_database(backend)
    page = tmp_path / "tag.txt"
    page.write_text(PAGE, encoding="utf-8")
    for author in ("a/b", "x" * 100, " "):
        result = command_line(url, "import", "archive", str(page), "--author", author)
        assert result.exit_code == 1, (author, result.output)
        assert "cannot be a user name" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sum(row_counts(database).values()) == 0
    # A name the API accepts: the posts go in, and what went in restores.
    result = command_line(url, "import", "archive", str(page), "--author", "Redaktion Nord")
    assert result.exit_code == 0, result.output
    _target_url, target = new_database(backend)
    restored = restore_bytes(target, export_bytes(database))
    assert (restored["users"], restored["posts"]) == (1, 1)


def _edited(document: bytes, array: str, **fields: Any) -> bytes:
    parsed = json.loads(document)
    parsed[array][0].update(fields)
    return json.dumps(parsed, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("array", "field", "value", "expected"),
    [
        ("users", "name", "a/b", "users[0]"),
        ("users", "name", "x" * 100, "users[0]"),
        ("users", "name", "<b>Anna</b>", "users[0]"),
        ("posts", "import_key", "k" * (IMPORT_KEY_MAX + 1), "posts[0]"),
    ],
    ids=["slash in a user name", "long user name", "markup in a user name", "long import key"],
)
def test_the_restore_refuses_what_no_write_path_stores(
    db: Database,
    new_database: NewDatabase,
    backend: str,
    array: str,
    field: str,
    value: str,
    expected: str,
) -> None:
    document = export(wxr_item(1, "Eine Meldung", "https://blog.example/?p=1"))
    assert import_wxr(db, io.BytesIO(document), zone=BERLIN, language="de").created == 1
    edited = _edited(export_bytes(db), array, **{field: value})
    _url, target = new_database(backend)
    with pytest.raises(InvalidInput) as refused:
        restore_bytes(target, edited)
    assert refused.value.detail.startswith(expected), refused.value.detail
    assert field in refused.value.detail
    assert "\n" not in refused.value.detail
    assert sum(row_counts(target).values()) == 0
