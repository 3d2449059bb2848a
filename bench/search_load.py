"""Search in the load benchmark: queries by frequency band, the index of a dataset, its size.

Queries come from the dataset's own vocabulary: the words of a random sample of its posts
(titles and bodies), counted once per post, give each word's share of the posts. The bands:

- ``rare``: words in fewer than 0.1 % of the posts (the generated datasets draw their text from
  fixed word lists and have none: then the rarest tenth of the vocabulary, and the band's
  ``note`` says so and its ``max_share`` gives the share they really have);
- ``two``: two content words of one real post (so the query finds something);
- ``phrase``: three consecutive words of a real post, quoted;
- ``filtered``: a word of a real post with that post's source or month as a filter;
- ``commonest``: the most frequent content words.

Each band is one scenario of the load benchmark (bench.scenarios); the report sets the
throughput of search beside cold single-post reads of the same run and the p95 of each band
beside its target.
"""

import importlib
import importlib.util
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast
from urllib.parse import urlencode

from sqlalchemy import Connection, text

from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import create_db_engine
from app.derived.root import open_database
from bench.kinds import API

BANDS = ("rare", "two", "phrase", "filtered", "commonest")
RARE_SHARE = 0.001
RAREST_PART = 0.1  # of the vocabulary, when no word is rarer than RARE_SHARE
COMMONEST = 20
MIN_LENGTH = 5  # letters of a content word
QUERIES = 500  # per band
SAMPLE = 5000  # posts read for the vocabulary
# p95 targets at 1M posts on SQLite, one client; search throughput against cold post reads.
TARGET_P95_MS = {"rare": 100, "two": 100, "phrase": 100, "filtered": 100, "commonest": 300}
TARGET_SHARE_OF_COLD_POST = 0.10
TARGET_PG_RATIO = 2.0  # PostgreSQL's search p95 against SQLite's, same dataset size
SEARCH_TABLES = ("post_search_text", "post_search", "search_words", "post_search_queue")
WORD = re.compile(r"[^\W\d_]+")
# Function words that are not what anyone searches for, though long enough to pass.
STOPWORDS = frozenset(
    [
        "einem",
        "einen",
        "einer",
        "eines",
        "nicht",
        "werden",
        "wurde",
        "wurden",
        "sollen",
        "seine",
        "seiner",
        "ihrer",
        "ihren",
        "diese",
        "dieser",
        "dieses",
        "unter",
        "gegen",
        "schon",
        "immer",
        "sowie",
        "bereits",
        "zwischen",
        "wieder",
        "durch",
        "their",
        "there",
        "which",
        "would",
        "about",
        "after",
        "other",
        "these",
        "those",
        "where",
        "while",
    ]
)


def search_available() -> bool:
    """Whether the app has a search index (and endpoint) to measure."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("app.search.index", "app.search.router")
    )


class SampledPost(NamedTuple):
    text: str  # title and body
    source: str | None  # slug
    month: str  # YYYY-MM, site-local


@dataclass(frozen=True, slots=True)
class Band:
    name: str
    queries: list[str]  # query strings of /api/v1/search (q and filters, urlencoded)
    words: int  # distinct words drawn from (distinct queries, for phrase and filtered)
    max_share: float  # the largest share of posts one of its words is in
    note: str = ""

    def summary(self) -> dict[str, Any]:
        return {"queries": len(self.queries), "words": self.words,
                "max_share": round(self.max_share, 5), "note": self.note}  # fmt: skip


def words(text_: str) -> list[str]:
    """The text's words in order, case folded."""
    return [word.casefold() for word in WORD.findall(text_)]


def is_content(word: str) -> bool:
    return len(word) >= MIN_LENGTH and word not in STOPWORDS


def document_counts(texts: Iterable[str]) -> Counter[str]:
    """In how many of the texts each content word appears."""
    counts: Counter[str] = Counter()
    for item in texts:
        counts.update({word for word in words(item) if is_content(word)})
    return counts


def _month_range(month: str) -> list[tuple[str, str]]:
    year, number = (int(part) for part in month.split("-"))
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    return [("after", f"{month}-01T00:00:00+01:00"), ("before", f"{following}-01T00:00:00+01:00")]


def _phrase(post: SampledPost, rng: random.Random) -> str | None:
    """Three words that stand side by side in the post, separated by single spaces."""
    tokens = post.text.split()
    runs = [
        index
        for index in range(len(tokens) - 2)
        if all(WORD.fullmatch(token) for token in tokens[index : index + 3])
    ]
    if not runs:
        return None
    start = rng.choice(runs)
    return '"' + " ".join(tokens[start : start + 3]) + '"'


def choose_bands(
    sample: Sequence[SampledPost], rng: random.Random, count: int = QUERIES
) -> dict[str, Band]:
    """The queries of each band, drawn with ``rng`` from the sample's vocabulary."""
    counts = document_counts(post.text for post in sample)
    posts = max(1, len(sample))
    share = {word: found / posts for word, found in counts.items()}
    by_frequency = sorted(counts, key=lambda word: (counts[word], word))
    commonest = by_frequency[::-1][:COMMONEST]
    rare = [word for word in by_frequency if share[word] < RARE_SHARE]
    note = ""
    if len(rare) < COMMONEST:
        rare = by_frequency[: max(COMMONEST, round(len(by_frequency) * RAREST_PART))]
        note = f"no word is in fewer than {RARE_SHARE:.1%} of the posts: the rarest tenth"
    common = set(commonest)
    content = [
        (post, [word for word in dict.fromkeys(words(post.text)) if is_content(word)])
        for post in sample
    ]
    content = [(post, found) for post, found in content if len(found) >= 2]
    two: list[str] = []
    phrases: list[str] = []
    filtered: list[str] = []
    used_two: set[str] = set()
    used_filtered: set[str] = set()
    for _ in range(count * 4):
        if len(two) >= count and len(phrases) >= count and len(filtered) >= count:
            break
        post, found = content[rng.randrange(len(content))]
        middle = [word for word in found if word not in common] or found
        pair = " ".join(rng.sample(middle, 2)) if len(middle) >= 2 else " ".join(found[:2])
        if len(two) < count and pair not in used_two:
            used_two.add(pair)
            two.append(urlencode({"q": pair}))
        phrase = _phrase(post, rng)
        if len(phrases) < count and phrase is not None:
            phrases.append(urlencode({"q": phrase}))
        word = rng.choice(middle)
        pairs = [("q", word)]
        if post.source is not None and rng.random() < 0.5:
            pairs.append(("source", post.source))
        else:
            pairs += _month_range(post.month)
        query = urlencode(pairs)
        if len(filtered) < count and query not in used_filtered:
            used_filtered.add(query)
            filtered.append(query)

    def drawn(pool: Sequence[str]) -> list[str]:
        return [urlencode({"q": rng.choice(pool)}) for _ in range(count)] if pool else []

    def largest(pool: Iterable[str]) -> float:
        return max((share[word] for word in pool), default=0.0)

    pair_words = {word for query in two for word in query.removeprefix("q=").split("+")}
    return {
        "rare": Band("rare", drawn(rare), len(rare), largest(rare), note),
        "two": Band("two", two, len(pair_words), largest(pair_words & set(share))),
        "phrase": Band("phrase", phrases, len(phrases), 0.0),
        "filtered": Band("filtered", filtered, len(filtered), 0.0),
        "commonest": Band("commonest", drawn(commonest), len(commonest), largest(commonest)),
    }


def paths(bands: dict[str, Band]) -> dict[str, list[str]]:
    """The search endpoint's URLs of each band."""
    return {
        name: [f"{API}/search?{query}" for query in band.queries] for name, band in bands.items()
    }


def sample_posts(
    connection: Connection, rng: random.Random, size: int = SAMPLE
) -> list[SampledPost]:
    """A random sample of the published posts, read by id (the ids are dense in the datasets)."""
    (top,) = connection.execute(text("SELECT max(id) FROM posts")).one()
    if top is None:
        return []
    ids = sorted(rng.sample(range(1, top + 1), min(size, top)))
    found: list[SampledPost] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(f":id{n}" for n in range(len(chunk)))
        rows = connection.execute(
            text(
                "SELECT p.title, p.body, s.slug, p.published_date FROM posts p "  # noqa: S608
                f"LEFT JOIN sources s ON s.id = p.source_id WHERE p.status = 'published' "
                f"AND p.id IN ({marks}) ORDER BY p.id"
            ),
            {f"id{n}": post_id for n, post_id in enumerate(chunk)},
        )
        found += [
            SampledPost(f"{row.title} {row.body}", row.slug, str(row.published_date)[:7])
            for row in rows
        ]
    return found


def collect_bands(database_url: str, seed: int) -> dict[str, Band]:
    """Read a sample of the database's posts and draw every band's queries from it."""
    rng = random.Random(seed)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            sample = sample_posts(connection, rng)
    finally:
        engine.dispose()
    return choose_bands(sample, rng) if sample else {}


def index_dataset(database_url: str) -> int:
    """Index what the dataset's index lacks: everything when it has nothing (a dataset made
    before search), else the queued posts. The number of posts indexed."""
    if not search_available():
        return 0
    module = importlib.import_module("app.search.index")
    reindex = cast(Callable[..., int], module.reindex)
    index_queued = cast(Callable[..., int], module.index_queued)
    languages = list(DEFAULT_SEARCH_LANGUAGES)
    database = open_database(database_url)
    try:
        with database.engine.connect() as connection:
            posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
            indexed = connection.execute(text("SELECT count(*) FROM post_search")).scalar_one()
        if posts and not indexed:
            return reindex(database, languages, _Progress())
        # Drains the queue (a post whose generation changed meanwhile is left for a round).
        return index_queued(database, languages)
    finally:
        database.dispose()


class _Progress:
    """Prints each tenth of a reindex: at a million posts it takes a while."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.tenth = 0

    def __call__(self, handled: int, total: int) -> None:
        while total and self.tenth < 10 and handled * 10 >= total * (self.tenth + 1):
            self.tenth += 1
            seconds = time.monotonic() - self.started
            print(f"    indexed {self.tenth * 10:3d}% {handled:>9,} posts {seconds:7.1f} s",
                  flush=True)  # fmt: skip


def index_size(database_url: str) -> dict[str, Any]:
    """Bytes of the search tables (with their indexes and FTS5 shadow tables), in all and per
    100,000 posts."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
            tables = _table_sizes(connection)
    finally:
        engine.dispose()
    total = sum(tables.values())
    per = round(total * 100_000 / posts) if posts else None
    return {"posts": posts, "bytes": total, "bytes_per_100k_posts": per, "tables": tables}


def _table_sizes(connection: Connection) -> dict[str, int]:
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS size FROM pg_class c "
                "WHERE c.relkind = 'r' AND c.relname = ANY(:names)"
            ),
            {"names": list(SEARCH_TABLES)},
        )
        return {row.name: int(row.size) for row in rows}
    # dbstat names tables and indexes; FTS5 keeps its data in shadow tables named after its
    # table (post_search_text_data, ...). One name at a time: dbstat then reads only its pages.
    schema = connection.execute(
        text("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')")
    ).all()
    sizes: dict[str, int] = {}
    for row in schema:
        owner = search_table_of(row.tbl_name)
        if owner is None:
            continue
        size = connection.execute(
            text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :name"),
            {"name": row.name},
        ).scalar_one()
        sizes[owner] = sizes.get(owner, 0) + int(size)
    return sizes


def search_table_of(table: str) -> str | None:
    """The search table that ``table`` is or belongs to (an FTS5 shadow table), if any."""
    owners = [name for name in SEARCH_TABLES if table == name or table.startswith(f"{name}_")]
    return max(owners, key=len, default=None)


@dataclass(frozen=True, slots=True)
class BandFigures:
    band: str
    rps: float | None
    p95_ms: float | None
    target_p95_ms: int
    share_of_cold_post: float | None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the report says of search in one run."""

    cold_post_rps: float | None
    bands: list[BandFigures] = field(default_factory=list)


def verdict(scenarios: Sequence[dict[str, Any]], suffix: str) -> Verdict:
    """Each band's throughput beside cold post reads (both from the scenarios whose names end
    in ``suffix``), and its one-client p95 beside its target."""
    figures = {item["name"]: item.get("figures") for item in scenarios}
    post = figures.get(f"cold post{suffix}")
    post_rps = post["rps"] if post else None
    bands = []
    for band in BANDS:
        loaded = figures.get(f"search {band}{suffix}")
        single = figures.get(f"search {band} (1 client){suffix}")
        rps = loaded["rps"] if loaded else None
        share = round(rps / post_rps, 3) if rps is not None and post_rps else None
        p95 = (single.get("p95_ms") or None) if single else None
        bands.append(BandFigures(band, rps, p95, TARGET_P95_MS[band], share))
    return Verdict(post_rps, bands)


def render(run: dict[str, Any], suffix: str) -> list[str]:
    """Markdown lines on search in a run; none for a run without search scenarios."""
    found = verdict(run["scenarios"], suffix)
    if all(band.rps is None for band in found.bands):
        return []
    size = run.get("search", {}).get("index_size") or {}
    per = size.get("bytes_per_100k_posts")
    lines = [
        "",
        f"Search (no response cache): throughput against cold post reads "
        f"({found.cold_post_rps or 0:,.0f} req/s; target ≥ {TARGET_SHARE_OF_COLD_POST:.0%}) "
        f"and one client's p95 against the targets at 1M posts on SQLite:",
        "",
        "| band | req/s | share of cold post | p95 ms (1 client) | target p95 ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for band in found.bands:
        cells = [
            band.band,
            "–" if band.rps is None else f"{band.rps:,.1f}",
            "–" if band.share_of_cold_post is None else f"{band.share_of_cold_post:.1%}",
            "–" if band.p95_ms is None else f"{band.p95_ms:,.1f}",
            str(band.target_p95_ms),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [band["note"] for band in run.get("search", {}).get("bands", {}).values()
             if band.get("note")]  # fmt: skip
    if per is not None:
        lines += ["", f"Search index: {per / 1024**2:,.1f} MB per 100,000 posts."]
    lines += [f"Rare band: {note}." for note in notes]
    return lines


def backends(runs: Sequence[dict[str, Any]], suffix: str) -> dict[str, Any] | None:
    """PostgreSQL's one-client p95 per band ÷ SQLite's, on the largest dataset size both ran
    (target: within 2×); None without such a pair."""
    sizes = {run["posts"] for run in runs if run["backend"] == "sqlite"} & {
        run["posts"] for run in runs if run["backend"] == "postgresql"
    }
    if not sizes:
        return None
    posts = max(sizes)
    found = {
        run["backend"]: verdict(run["scenarios"], suffix)
        for run in runs
        if run["posts"] == posts and run["backend"] in ("sqlite", "postgresql")
    }
    sqlite = {band.band: band.p95_ms for band in found["sqlite"].bands}
    bands = {}
    for band in found["postgresql"].bands:
        lite = sqlite.get(band.band)
        if band.p95_ms is not None and lite:
            bands[band.band] = {"sqlite": lite, "postgresql": band.p95_ms,
                                "ratio": round(band.p95_ms / lite, 2)}  # fmt: skip
    return {"posts": posts, "target_ratio": TARGET_PG_RATIO, "p95_ms": bands} if bands else None


def render_backends(compared: dict[str, Any]) -> str:
    lines = [
        f"**Search on PostgreSQL against SQLite** at {compared['posts']:,} posts: one client's "
        f"p95 (target: within {compared['target_ratio']:g}×)",
        "",
        "| band | SQLite p95 ms | PostgreSQL p95 ms | × |",
        "|---|--:|--:|--:|",
    ]
    for band, item in compared["p95_ms"].items():
        lines.append(f"| {band} | {item['sqlite']:,.1f} | {item['postgresql']:,.1f} | "
                     f"{item['ratio']:.2f}× |")  # fmt: skip
    return "\n".join(lines)
