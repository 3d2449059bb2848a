"""An import killed half-way (kill -9) leaves whole batches; running it again completes it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.importers.service import BATCH_SIZE
from app.posts.models import Post
from tests.conftest import FreshDatabase

ROOT = Path(__file__).resolve().parents[1]
POSTS = 3 * BATCH_SIZE


def _write_export(path: Path) -> None:
    items = "".join(
        f"<item><title>Meldung {number} (Hafenblatt)</title>"
        f'<guid isPermaLink="false">https://blog.example/?p={number}</guid>'
        f"<content:encoded><![CDATA[<p>Text der Meldung {number}. {'Mehr Text. ' * 60}</p>"
        f'<p>Weiterlesen <a href="https://hafenblatt.example/{number}">Link</a></p>]]>'
        f"</content:encoded><wp:post_id>{number}</wp:post_id>"
        f"<wp:post_date_gmt>2022-01-10 09:00:00</wp:post_date_gmt>"
        f"<wp:post_name>meldung-{number}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type></item>\n"
        for number in range(1, POSTS + 1)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Blog</title>'
        f"<wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>\n",
        encoding="utf-8",
    )


def _import(url: str, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "import", "wxr", str(path)],
        cwd=ROOT,
        env={**os.environ, "PRESSESCHAU_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _count(database: Database) -> tuple[int, int]:
    with database.session(write=False) as session:
        posts = session.scalar(select(func.count()).select_from(Post)) or 0
        keys = session.scalar(select(func.count(func.distinct(Post.import_key)))) or 0
    return posts, keys


def test_a_killed_import_leaves_whole_batches_and_a_second_run_completes_it(
    backend: str, fresh_database_url: FreshDatabase, tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    export = tmp_path / "blog.wxr"
    _write_export(export)
    database = open_database(url)
    try:
        process = _import(url, export)
        deadline = time.monotonic() + 120
        while _count(database)[0] == 0 and process.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail("the import wrote nothing in two minutes")
            time.sleep(0.05)
        assert process.poll() is None, "the import ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        posts, keys = _count(database)
        if posts == POSTS:
            pytest.fail("the import finished before it could be killed; make the file larger")
        # Only whole batches: each was one transaction.
        assert 0 < posts < POSTS
        assert posts % BATCH_SIZE == 0
        assert posts == keys
        again = _import(url, export)
        _, errors = again.communicate(timeout=300)
        assert again.returncode == 0, errors.decode()
        assert _count(database) == (POSTS, POSTS)
    finally:
        database.dispose()
