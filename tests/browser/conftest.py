"""The reader site (frontend/) and Swagger UI in Debian's Chromium, driven by Playwright.

Each test process gets one database with the demo content for each backend (SQLite and
PostgreSQL), the real API on it (``presseschau serve``) and the built site (``node dist/server/entry.mjs``)
on free ports. No browser is ever downloaded: without /usr/bin/chromium these tests skip.
"""

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app.auth.roles import Role
from app.auth.schemas import UserCreate
from app.auth.service import create_user
from app.core.config import Settings
from app.core.migrations import upgrade
from app.demo.loader import load_demo
from app.derived.root import open_database
from app.search.index import index_queued
from tests.conftest import FreshDatabase
from tests.live_server import ROOT, served
from tests.postgres_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
# No updates, syncing or other calls home: the tests run offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FRONTEND = ROOT / "frontend"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# The demo's user who writes in these tests (an editor: drafts, preview links, publishing).
EDITOR = "Redakteurin"


@dataclass(frozen=True)
class Site:
    """The reader site and the API behind it, on one backend's demo database."""

    url: str
    api: str
    backend: str
    token: str
    api_log: Path

    def shot(self, page: Page, name: str) -> None:
        """A screenshot of ``page`` kept as a test artefact (CI leaves the folder behind)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{self.backend}.png", full_page=True)


def _built_frontend() -> Path:
    """frontend/dist, built by `make frontend-build` (a no-op when its stamp is newer than
    every input); one test process builds while the others wait on the lock."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("the frontend's tests need Node.js 20 or later (node and npm)")
    with (FRONTEND / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = subprocess.run(
            ["make", "--no-print-directory", "frontend-build"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if built.returncode != 0:
        pytest.fail(f"the frontend did not build:\n{built.stdout[-4000:]}{built.stderr[-4000:]}")
    return FRONTEND / "dist" / "server" / "entry.mjs"


def _demo_with_editor(database_url: str) -> str:
    """What `presseschau demo` loads, and an editor's API token (as `presseschau users
    create`), done here rather than by two more Python processes starting up."""
    settings = Settings(database_url=database_url, timezone="Europe/Berlin", language="de")
    database = open_database(database_url)
    try:
        with database.session() as session:
            load_demo(session, zone=settings.zone, language=settings.language)
        index_queued(database, settings.search_languages)
        _, token = database.call(create_user, data=UserCreate(name=EDITOR, role=Role.editor))
    finally:
        database.dispose()
    return token


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's Chromium at /usr/bin/chromium "
            "(apt-get install chromium); no browser is downloaded"
        )


# Stopped whenever the test process leaves this package: while Playwright's sync API runs,
# the process's main thread has a running event loop, which the tests elsewhere that start
# their own (asyncio.run) or check that work left the loop would trip over.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    _need_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


# Once per backend and test process: the tests that write (tests/browser/test_editors.py)
# only add posts on days the readers' tests do not open, so they share the demo database.
@pytest.fixture(scope="session")
def site(
    backend: str, fresh_database_url: FreshDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    _need_chromium()  # before building anything
    entry = _built_frontend()
    database_url = fresh_database_url(backend)
    upgrade(database_url)
    token = _demo_with_editor(database_url)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("site")
    environment = {
        # The like button posts from the reader's browser, on the site's origin.
        "PRESSESCHAU_CORS_ORIGINS": origin,
        "PRESSESCHAU_PUBLIC_URL": origin,
    }
    with served(database_url, environment=environment, log=logs / "api.log") as (_, api):
        with (logs / "site.log").open("wb") as log:
            node = subprocess.Popen(
                ["node", str(entry)],
                cwd=FRONTEND,
                env={
                    **os.environ,
                    "HOST": "127.0.0.1",
                    "PORT": str(port),
                    "PRESSESCHAU_API_URL": api,
                    "ASTRO_TELEMETRY_DISABLED": "1",
                },
                stdout=log,
                stderr=log,
            )
        try:
            _wait_for(origin, node)
            yield Site(url=origin, api=api, backend=backend, token=token, api_log=logs / "api.log")
        finally:
            node.terminate()
            node.wait(timeout=10)


def _wait_for(origin: str, node: "subprocess.Popen[bytes]") -> None:
    for _ in range(100):
        if node.poll() is not None:
            pytest.fail("the site's server stopped at start")
        try:
            httpx.get(f"{origin}/search", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("the site's server did not start")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="de-DE")
    opened = context.new_page()
    yield opened
    context.close()
