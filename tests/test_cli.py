import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.demo.content import POSTS, SOURCES
from app.derived.root import open_database
from app.main import create_app
from tests.conftest import FreshDatabase

ROOT = Path(__file__).resolve().parents[1]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip


def test_migrate_demo_and_a_users_first_token(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    assert _cli(url, "migrate").returncode == 0
    loaded = _cli(url, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert f"{len(SOURCES)} sources, {len(POSTS)} posts" in loaded.stdout
    again = _cli(url, "demo")
    assert "no demo content added" in again.stdout
    created = _cli(url, "users", "create", "Anna", "--role", "editor")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    duplicate = _cli(url, "users", "create", "Anna")
    assert duplicate.returncode == 1
    assert "exists already" in duplicate.stderr

    database = open_database(url)
    try:
        with TestClient(create_app(Settings(database_url=url), database)) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["name"] == "Anna"
            posts = client.get("/api/v1/posts", params={"per_page": 100}).json()
            assert posts["total"] == len(POSTS)
            sources = client.get("/api/v1/sources").json()
            assert sources["total"] == len(SOURCES)
    finally:
        database.dispose()


def test_imports_report_what_they_did_and_exit_by_outcome(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    assert _cli(url, "migrate").returncode == 0
    blog = str(ROOT / "tests" / "data" / "blog.wxr")
    dry = _cli(url, "import", "wxr", blog, "--dry-run")
    assert dry.stdout.startswith("dry run, nothing written: would have created 6,")
    first = _cli(url, "import", "wxr", blog)
    # One item is bad: the rest are in, and the exit status tells a script so.
    assert first.returncode == 2
    assert first.stdout.startswith("created 6, updated 0, skipped 2, failed 1")
    assert "failed: item 5 (post 420):" in first.stderr
    again = _cli(url, "import", "wxr", blog)
    assert "created 0, updated 0, skipped 8, failed 1" in again.stdout  # 6 before, 2 others
    missing = _cli(url, "import", "archive", str(ROOT / "no-such-page.txt"))
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr
    database = open_database(url)
    try:
        client = TestClient(create_app(Settings(database_url=url), database))
        assert client.get("/api/v1/posts").json()["total"] == 2  # the published ones
    finally:
        database.dispose()
