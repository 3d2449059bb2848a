"""Imports render their bodies before a batch's transaction takes the write lock: SQLite's
lock is never held while Markdown is rendered or an excerpt derived, also for day pages and
posts updated again."""

import io
from typing import Any

import pytest

from app.core.db import Database
from app.core.html import make_excerpt, render_markdown
from app.importers.files import import_archive_page, import_wxr
from app.importers.service import ImportSummary
from app.posts.models import Post
from tests.factories import BERLIN
from tests.test_wxr import export
from tests.write_lock import write_lock_free

PAGE = """10. Januar 2022

Häfen im Wandel (TASS)

Die Umschlagzahlen **steigen** wieder.

10. Januar 2022

Ein zweiter Beitrag

Mit *Text*.
"""


def _item(modified: str, text: str) -> str:
    return f"""<item><title>Ein Beitrag</title>
<guid isPermaLink="false">https://blog.example/?p=7</guid>
<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>
<wp:post_id>7</wp:post_id>
<wp:post_date_gmt>2022-01-10 08:00:00</wp:post_date_gmt>
<wp:post_modified_gmt>{modified}</wp:post_modified_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item>
"""


@pytest.fixture
def renders(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the write lock was free at each rendering of a body, wherever it is made."""
    seen: list[bool] = []

    def recording(*args: Any, **kwargs: Any) -> str:
        seen.append(write_lock_free(db))
        return render_markdown(*args, **kwargs)

    for module in ("app.importers.ahead", "app.posts.service"):
        monkeypatch.setattr(f"{module}.render_markdown", recording)
    return seen


def test_a_day_page_is_rendered_before_its_batch_writes(db: Database, renders: list[bool]) -> None:
    summary = import_archive_page(db, PAGE, zone=BERLIN, language="de")
    assert summary.created == 2
    assert renders == [True, True]


def test_an_export_and_its_newer_version_are_rendered_before_they_write(
    db: Database, renders: list[bool]
) -> None:
    def run(*items: str) -> ImportSummary:
        return import_wxr(db, io.BytesIO(export(*items)), zone=BERLIN, language="de")

    assert run(_item("2022-01-10 08:00:00", "Erster Text")).created == 1
    assert run(_item("2022-02-01 08:00:00", "Zweiter Text")).updated == 1
    assert renders == [True, True]


@pytest.fixture
def excerpts(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the write lock was free at each excerpt derived from a body."""
    seen: list[bool] = []

    def recording(*args: Any, **kwargs: Any) -> str:
        seen.append(write_lock_free(db))
        return make_excerpt(*args, **kwargs)

    for module in ("app.importers.ahead", "app.importers.service", "app.posts.service"):
        monkeypatch.setattr(f"{module}.make_excerpt", recording, raising=False)
    return seen


def test_excerpts_are_derived_with_the_rendering_before_they_write(
    db: Database, excerpts: list[bool]
) -> None:
    def run(*items: str) -> ImportSummary:
        return import_wxr(db, io.BytesIO(export(*items)), zone=BERLIN, language="de")

    assert run(_item("2022-01-10 08:00:00", "Erster <strong>Text</strong>")).created == 1
    assert run(_item("2022-02-01 08:00:00", "Zweiter <em>Text</em>")).updated == 1
    assert excerpts == [True, True]
    with db.session(write=False) as session:
        post = session.query(Post).one()
        assert post.excerpt == make_excerpt(post.body, rendered=post.body_html)
        assert post.excerpt.startswith("Zweiter Text")
