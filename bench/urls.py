"""The URLs the scenarios request, read from the benchmark database with a fixed seed.

Cold scenarios must not be served from anything the API (or SQLite, or PostgreSQL) cached on
the previous request, so their lists are long and drawn over the whole dataset: random list
pages (with and without a source filter, only pages that exist), random posts by id and by
slug, random days that have posts, and sources. The same seed and dataset give the same lists,
so two runs request the same URLs. wrk's Lua script reads a list from a file, one path a line.
The search endpoint's queries come by frequency band from the dataset's own vocabulary
(bench.search_load), when the app has search.
"""

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, text

from app.core.db import create_db_engine
from bench.kinds import API
from bench.search_load import BANDS, collect_bands
from bench.search_load import paths as band_paths

COLD = 20_000  # URLs per cold list: more than a short run requests, so few repeat
SEARCHES = 500
PER_PAGE = 20  # the API's default page size
FIELDS = "id,slug,title"  # the narrowed list's fields (issue: "fields=id,slug,title lists")
MAX_PAGE = 50
CHUNK = 1000
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{5,}")


@dataclass(frozen=True, slots=True)
class Urls:
    """Paths (with query) for each group of scenarios."""

    hot_list: str
    hot_post: str
    hot_day: str
    # The site's RSS feed: what feed readers poll, answered from the response cache.
    hot_feed: str = f"{API}/feeds/posts.rss"
    cold: dict[str, list[str]] = field(default_factory=dict)  # list, post, day, source
    # The cold list's pages narrowed to three fields, as a frontend's index asks: beside the
    # cold list, not in the cold mix, whose share of each kind stays what it was.
    list_fields: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    bands: dict[str, list[str]] = field(default_factory=dict)  # search endpoint, by band
    band_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def cold_mix(self) -> list[str]:
        """Every cold read, so a mix picks lists, posts, days and sources equally often."""
        return [path for paths in self.cold.values() for path in paths]

    def write(self, folder: Path) -> dict[str, Path]:
        """One file per list, for wrk: cold_<group>, cold_mix, cold_list_fields, search,
        search_<band> and hot_<kind> (list, post, day, feed)."""
        lists = {f"cold_{group}": paths for group, paths in self.cold.items()}
        lists |= {"cold_mix": self.cold_mix(), "search": self.search}
        if self.list_fields:
            lists["cold_list_fields"] = self.list_fields
        lists |= {"hot_list": [self.hot_list], "hot_post": [self.hot_post]}
        lists |= {"hot_day": [self.hot_day], "hot_feed": [self.hot_feed]}
        lists |= {f"search_{band}": self.bands[band] for band in BANDS if self.bands.get(band)}
        files = {}
        for name, paths in lists.items():
            files[name] = folder / f"{name}.txt"
            files[name].write_text("\n".join(paths) + "\n")
        return files


def _rows(connection: Connection, sql: str, **params: object) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(text(sql), params)]


def _day_path(day: Any) -> str:
    """A date from PostgreSQL, or its ISO text from SQLite."""
    year, month, number = str(day)[:10].split("-")
    return f"{API}/archives/{year}/{month}/{number}"


def _list_paths(connection: Connection, rng: random.Random) -> list[str]:
    """Half unfiltered pages, half pages of one source; page numbers up to 50 that exist."""
    (total,) = _rows(connection, "SELECT count(*) FROM posts WHERE status = 'published'")[0]
    per_source = _rows(
        connection,
        "SELECT s.slug, count(*) FROM posts p JOIN sources s ON s.id = p.source_id "
        "WHERE p.status = 'published' GROUP BY s.slug ORDER BY s.slug",
    )

    def pages(count: int) -> int:
        return max(1, min(MAX_PAGE, -(-count // PER_PAGE)))

    paths = []
    for number in range(COLD):
        if number % 2 == 0 or not per_source:
            paths.append(f"{API}/posts?page={rng.randint(1, pages(total))}")
        else:
            slug, count = per_source[rng.randrange(len(per_source))]
            paths.append(f"{API}/posts?source={slug}&page={rng.randint(1, pages(count))}")
    return paths


def _by_id(connection: Connection, column: str, ids: list[int]) -> dict[int, str]:
    """One column of the posts with these ids, in chunks the databases take as parameters."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(f":id{n}" for n in range(len(chunk)))
        params = {f"id{n}": post_id for n, post_id in enumerate(chunk)}
        sql = f"SELECT id, {column} FROM posts WHERE id IN ({marks})"  # noqa: S608
        found |= dict(_rows(connection, sql, **params))
    return found


def collect(database_url: str, seed: int) -> Urls:
    """Read the database once and draw every list with random.Random(seed)."""
    rng = random.Random(seed)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            lists = _list_paths(connection, rng)
            published = [
                row[0]
                for row in _rows(
                    connection, "SELECT id FROM posts WHERE status = 'published' ORDER BY id"
                )
            ]
            ids: list[int] = rng.sample(published, min(COLD, len(published)))
            slugs = _by_id(connection, "slug", ids[1::2])
            bodies = _by_id(connection, "body", ids[:SEARCHES])
            post_paths = [f"{API}/posts/{post_id}" for post_id in ids[::2]]
            post_paths += [f"{API}/posts/{slugs[post_id]}" for post_id in ids[1::2]]
            rng.shuffle(post_paths)
            days = [
                row[0]
                for row in _rows(
                    connection,
                    "SELECT DISTINCT published_date FROM posts WHERE status = 'published' "
                    "ORDER BY published_date",
                )
            ]
            sources = _rows(connection, "SELECT id, slug FROM sources ORDER BY id")
    finally:
        engine.dispose()
    source_paths = [f"{API}/sources"]
    source_paths += [f"{API}/sources/{value}" for row in sources for value in row]
    words = [rng.choice(WORD.findall(bodies[post_id]) or ["Zeitung"]) for post_id in ids[:SEARCHES]]
    # A generator of its own: the other lists stay what they were before search had bands.
    bands = collect_bands(database_url, seed)
    return Urls(
        hot_list=f"{API}/posts",
        hot_post=f"{API}/posts/{ids[0]}",
        hot_day=_day_path(days[-1]),
        cold={
            "list": lists,
            "post": post_paths,
            "day": [_day_path(rng.choice(days)) for _ in range(COLD)],
            "source": [rng.choice(source_paths) for _ in range(COLD)],
        },
        list_fields=[f"{path}{'&' if '?' in path else '?'}fields={FIELDS}" for path in lists],
        search=[f"{API}/posts?q={quote(word)}" for word in words],
        bands=band_paths(bands),
        band_summaries={name: band.summary() for name, band in bands.items()},
    )
