"""The real day archive in ../shared/seeds, rebuilt through the API with an editor token."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.conftest import SEED_DIR
from tests.factories import make_account

SEED = SEED_DIR / "000_274c5883fd8f2946.txt"
DAY_LINE = "10. Januar 2022"
SEED_SOURCES = {
    "german-foreign-policy.com": "german-foreign-policy.com",
    "Global Times China": "globaltimes.cn",
    "World Beyond War": "worldbeyondwar.org",
    "junge Welt": "jungewelt.de",
    "TASS": "tass.ru",
    "Orinoco Tribune": "orinocotribune.com",
}


@dataclass
class SeedPost:
    title: str
    source: str | None
    lines: list[str] = field(default_factory=list)


def _split_title(line: str) -> tuple[str, str | None]:
    line = line.replace("\xa0", " ")  # the page has non-breaking spaces in source names
    for name in SEED_SOURCES:
        if line.endswith(f"({name})"):
            return line[: -len(name) - 2].rstrip(), name
        if line.endswith(f" {name}"):
            return line[: -len(name) - 1].rstrip(), name
    return line, None


def parse_seed(path: Path) -> list[SeedPost]:
    posts: list[SeedPost] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == DAY_LINE:
            index += 1
            while not lines[index].strip():
                index += 1
            posts.append(SeedPost(*_split_title(lines[index].strip())))
        elif posts and not lines[index].startswith("%d Bloggern"):
            posts[-1].lines.append(lines[index])
        index += 1
    return posts


@pytest.fixture
def seed_posts() -> list[SeedPost]:
    if not SEED.exists():
        pytest.skip(f"the shared seed archive ({SEED.name}) is not beside the project")
    return parse_seed(SEED)


def test_seed_day_archive_through_the_api(
    app: FastAPI, client: TestClient, db: Database, seed_posts: list[SeedPost]
) -> None:
    assert len(seed_posts) == 11
    editor = make_account(db)
    source_ids = {}
    for name, domain in SEED_SOURCES.items():
        response = client.post(
            app.url_path_for("create_source"),
            headers=editor.headers,
            json={"name": name, "domains": [domain]},
        )
        assert response.status_code == 201, response.text
        source_ids[name] = response.json()["id"]
    # Newest first on the page: the last entry is the oldest, just after local midnight.
    oldest = datetime(2022, 1, 9, 23, 30, tzinfo=UTC)
    for position, post in enumerate(seed_posts):
        body = "\n".join(post.lines).strip()
        urls = re.findall(r"^(https?://\S+)$", body, flags=re.MULTILINE)
        response = client.post(
            app.url_path_for("create_post"),
            headers=editor.headers,
            json={
                "title": post.title,
                "body": body,
                "source_id": source_ids[post.source] if post.source else None,
                "original_url": urls[-1] if urls else None,
                "status": "published",
                "published_at": (
                    oldest + timedelta(minutes=50 * (len(seed_posts) - 1 - position))
                ).isoformat(),
            },
        )
        assert response.status_code == 201, response.text
    day = client.get(
        app.url_path_for("day_archive", year="2022", month="01", day="10"),
        params={"per_page": 100},
    )
    assert day.status_code == 200
    archive = day.json()
    assert archive["label"] == DAY_LINE
    assert archive["count"] == 11
    assert [item["title"] for item in archive["items"]] == [post.title for post in seed_posts]
    assert "Führung aus einer Hand (II)" in [item["title"] for item in archive["items"]]
    counts = {
        source["name"]: source["post_count"]
        for source in client.get(app.url_path_for("list_sources")).json()["items"]
    }
    assert counts["Global Times China"] == 2
    assert counts["german-foreign-policy.com"] == 2
    assert sum(counts.values()) == 8
