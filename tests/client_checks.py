"""What the generated clients' tests share: the content they read, served by a real server,
and what each client must have seen in it."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.config import Settings
from app.core.db import Database
from app.search.index import index_queued
from tests.factories import make_account, make_post
from tests.live_server import served, url_of

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi.json"
# Five published posts on 10 January 2022, newest first; read two to a page, three pages.
TITLES = ["Erster Blick", "Zweiter Blick", "Dritter Blick", "Vierter Blick", "Fünfter Blick"]
FOUND = "Dritter Blick"  # the one whose body holds the searched word
SEARCHED = "Fundstück"
DAY_LABEL = "10. Januar 2022"


@dataclass(frozen=True)
class LiveApi:
    base: str
    token: str


@contextmanager
def live_api(db: Database, settings: Settings) -> Iterator[LiveApi]:
    """A server on ``db`` with the five posts, searchable, and an editor's token."""
    editor = make_account(db)
    start = datetime(2022, 1, 10, 12, 0, tzinfo=UTC)
    for offset, title in enumerate(TITLES):
        body = f"Ein {SEARCHED} aus der Presse." if title == FOUND else "Aus der Presse."
        make_post(db, editor, title=title, body=body, published_at=start - timedelta(hours=offset))
    index_queued(db, settings.search_languages)
    with served(url_of(db)) as (_, base):
        yield LiveApi(base, editor.token)


def check_seen(printed: str) -> None:
    """What a client's program printed (JSON) after its five calls: the cursor walk, the
    search, the creation, the edit and its refused stale edit, and the day archive."""
    seen = json.loads(printed)
    assert seen["listed"] == TITLES
    assert seen["pages"] == [2, 2, 1]
    assert seen["search"] == [FOUND]
    assert seen["created"] == {"title": "Hallo", "status": "draft"}
    assert seen["edited"] == "Hallo, Welt"
    assert seen["stale"]["status"] == 412
    assert seen["stale"]["detail"]
    assert seen["day"] == {"label": DAY_LABEL, "count": 5, "titles": TITLES}
