"""A large export is read ahead in a second process: the import it makes is the same."""

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app.core.db import Database
from app.core.errors import InvalidInput
from app.core.html import render_markdown
from app.importers import ahead, files
from app.importers.ahead import WxrReadAhead
from app.importers.service import ImportSummary
from tests.conftest import empty_all_tables

BERLIN = ZoneInfo("Europe/Berlin")
BLOG = Path(__file__).parent / "data" / "blog.wxr"

Outcome = tuple[Any, ...]


def _stored(db: Database) -> list[Any]:
    """Every post as stored (HTML and excerpt included), with its tags, source and author."""
    with db.engine.connect() as connection:
        posts = connection.execute(text("SELECT * FROM posts ORDER BY id")).all()
        names = connection.execute(
            text(
                "SELECT p.id, u.name, s.name FROM posts p JOIN users u ON u.id = p.author_id "
                "LEFT JOIN sources s ON s.id = p.source_id ORDER BY p.id"
            )
        ).all()
        tags = connection.execute(
            text(
                "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
                "ORDER BY pt.post_id, t.name"
            )
        ).all()
    return [list(map(tuple, rows)) for rows in (posts, names, tags)]


def _outcome(db: Database, run: Callable[[], ImportSummary]) -> Outcome:
    """What an import leaves: its summary (or its error) and the posts it stored."""
    try:
        summary = run()
        said: Any = (
            summary.created,
            summary.updated,
            [(failure.position, failure.reason) for failure in summary.failures],
            dict(summary.skip_reasons),
            summary.new_sources,
        )
    except InvalidInput as error:
        said = error.detail
    stored = _stored(db)
    empty_all_tables(db)
    return said, stored


@pytest.mark.parametrize("damaged", [False, True], ids=["whole", "damaged"])
def test_an_export_read_ahead_imports_as_one_read_in_process(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damaged: bool
) -> None:
    data = BLOG.read_bytes()
    if damaged:  # the file breaks off in its fifth item: the three posts before it go in
        first_four = data.split(b"<item>")[:5]  # the header and four items
        data = b"<item>".join([*first_four, b"<title>Abgebrochen"])
    export = tmp_path / "export.wxr"
    export.write_bytes(data)

    def run() -> ImportSummary:
        return files.import_wxr(db, export, zone=BERLIN, language="de")

    monkeypatch.setattr(files, "READ_AHEAD_BYTES", len(data) + 1)
    in_process = _outcome(db, run)
    monkeypatch.setattr(files, "READ_AHEAD_BYTES", len(data))
    ahead = _outcome(db, run)
    assert ahead == in_process
    said, (posts, _, _) = ahead
    assert len(posts) == (3 if damaged else 6)
    assert isinstance(said, str if damaged else tuple)


def test_a_writer_waiting_for_its_reader_renders_what_the_reader_sent_as_read(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export.wxr"
    export.write_bytes(BLOG.read_bytes())
    monkeypatch.setattr(files, "READ_AHEAD_BYTES", 0)
    rendered_here: list[str] = []

    def recording(body: str) -> str:
        rendered_here.append(body)
        return render_markdown(body)

    # In this process only: the reader is a new interpreter with its own modules.
    monkeypatch.setattr(ahead, "render_markdown", recording)
    summary = files.import_wxr(db, export, zone=BERLIN, language="de")
    assert summary.created == 6
    # The reader's one chunk found the writer waiting with nothing to do: the writer rendered
    # its posts, each once, rather than waiting for the reader to.
    assert len(rendered_here) == 6


def test_an_export_that_cannot_be_read_ahead_says_why(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export.wxr"
    export.write_bytes(b"<html><body>no export</body></html>")
    monkeypatch.setattr(files, "READ_AHEAD_BYTES", 0)
    with pytest.raises(InvalidInput, match="not a WordPress export"):
        files.import_wxr(db, export, zone=BERLIN, language="de")


def test_an_import_whose_reader_dies_ends_with_an_error(tmp_path: Path) -> None:
    export = tmp_path / "export.wxr"
    export.write_bytes(BLOG.read_bytes())
    with WxrReadAhead(export, site_zone=BERLIN, languages=("de", "en")) as reading:
        reading._reader.kill()  # as the kernel does when memory runs out: no word sent
        with pytest.raises(RuntimeError, match="reader stopped"):
            list(reading)


def test_ctrl_c_is_left_to_the_import_not_its_reader(tmp_path: Path) -> None:
    header, first, post, *rest = BLOG.read_bytes().split(b"<item>")
    export = tmp_path / "export.wxr"
    # Enough items that the reader is still at work (or waiting to send) after the first.
    export.write_bytes(b"<item>".join([header, first, *[post] * 1000, *rest]))
    with WxrReadAhead(export, site_zone=BERLIN, languages=("de", "en")) as reading:
        items = iter(reading)
        next(items)
        os.kill(reading._reader.pid or 0, signal.SIGINT)
        assert len(list(items)) > 1000
