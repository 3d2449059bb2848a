"""A deterministic dataset for the benchmarks: sources, tags, one editor and N published posts.

    .venv/bin/python -m bench.dataset --posts 100000 --database-url URL [--seed 1] [--sources 20]

Migrates the database (SQLite or PostgreSQL), refuses one that already has posts or sources
(exit 2), and fills it with fictional sources (``.example`` domains, a few with two), about 50
tags, one editor (its token is printed, so benchmarks can write) and N published posts: 30–60
a day in Europe/Berlin, going back from 31 October 2026, each with a German title, a 2–4 KB
Markdown body, 0–3 tags, and a source and original URL for most of them.

The text is distributed as a real archive's is (bench.lexicon): besides the fixed phrases
every post has, each names a topic of its own, a few to a few dozen invented people, places,
organisations and compound nouns drawn from tens of thousands with a Zipf distribution, most
of which are in very few posts; the topic's first words are in many titles and come up again
and again in the body.

The same seed and N give the same rows, ids included; only the editor's token and its time
stamps differ between runs. Bodies are put together from a pool of paragraphs, headings,
quotes and lists that is rendered once (bench.writing): the HTML of plain blocks separated by
blank lines is the HTML of each block in turn, a post's words go into the slots of both, and
the excerpt comes from the first paragraph alone, which is always longer than an excerpt.
Every 1,000th post is checked against render_markdown and make_excerpt of its whole body.

Prints the token, progress every 10 % and a summary line; nothing else goes to stdout.
"""

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import UserCreate
from app.core.db import Database
from app.core.errors import Conflict
from app.core.html import make_excerpt, render_markdown
from app.core.migrations import upgrade
from app.core.text import SLUG_MAX_LENGTH, slugify
from app.derived.root import open_database
from app.models import metadata
from bench.lexicon import Lexicon
from bench.phrases import PAPERS, PLACES, SECTIONS, TAG_NAMES
from bench.writing import BodyPool, SourceSpec, Writer

# Raised whenever the rows a seed generates change: bench.cache keys datasets by it, so one
# cached under another version is never reused. A migration does not raise it: a cached
# dataset is migrated before use (bench.cache), which makes it what a new one would be.
VERSION = 2
ZONE = ZoneInfo("Europe/Berlin")
# Exclusive: the newest posts are on 31 October 2026, so none is scheduled in the future.
END_DAY = date(2026, 11, 1)
POSTS_PER_DAY = (30, 60)
BATCH = 2000
CHECK_EVERY = 1000
EDITOR = "Benchmark-Redaktion"

POSTS = metadata.tables["posts"]
TAGS = metadata.tables["tags"]
POST_TAGS = metadata.tables["post_tags"]
SOURCES = metadata.tables["sources"]
SOURCE_DOMAINS = metadata.tables["source_domains"]


def make_sources(rng: random.Random, count: int) -> list[SourceSpec]:
    names = [(place, f"{adjective} {paper}") for place, adjective in PLACES for paper in PAPERS]
    chosen = rng.sample(names, count)
    two_domains = set(rng.sample(range(count), max(1, round(count * 0.15))))
    sources = []
    for number, (place, name) in enumerate(chosen):
        slug = slugify(name)
        domains: tuple[str, ...] = (f"{slug}.example",)
        if number in two_domains:
            domains += (f"{slug}-online.example",)
        sources.append(SourceSpec(name=name, slug=slug, place=place, domains=domains))
    return sources


def day_counts(rng: random.Random, posts: int) -> list[tuple[date, int]]:
    """Posts per local day, oldest first: 30–60 a day back from END_DAY until N are placed."""
    counts: list[tuple[date, int]] = []
    placed = 0
    day = END_DAY
    while placed < posts:
        day -= timedelta(days=1)
        count = min(rng.randint(*POSTS_PER_DAY), posts - placed)
        counts.append((day, count))
        placed += count
    return counts[::-1]


def day_times(rng: random.Random, day: date, count: int) -> list[datetime]:
    """Sorted UTC times within one local day (23, 24 or 25 hours long), mostly 6 to 23 h."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=ZONE).astimezone(UTC)
    length = int((end - start).total_seconds())
    offsets = sorted(
        rng.randrange(6 * 3600, 23 * 3600) if rng.random() < 0.9 else rng.randrange(length)
        for _ in range(count)
    )
    return [start + timedelta(seconds=offset) for offset in offsets]


def _weights(count: int) -> list[float]:
    """Cumulative weights falling off with rank, so some sources and tags are much larger."""
    total, cumulative = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 1) ** 0.8
        cumulative.append(total)
    return cumulative


def generate_posts(
    rng: random.Random,
    *,
    days: Sequence[tuple[date, int]],
    pool: BodyPool,
    writer: Writer,
    sources: Sequence[tuple[int, SourceSpec]],
    tag_ids: Sequence[int],
    author_id: int,
) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """Each post's row and its tag ids, oldest first, with ids from 1."""
    source_weights = _weights(len(sources))
    tag_weights = _weights(len(tag_ids))
    source_indexes = range(len(sources))
    tag_indexes = range(len(tag_ids))
    number = 0
    for day, count in days:
        for published_at in day_times(rng, day, count):
            number += 1
            topic = writer.topic()
            title = writer.title(topic)
            base = slugify(title, max_length=SLUG_MAX_LENGTH - 8) or "beitrag"
            body, body_html, excerpt = pool.body(rng, topic)
            source_id, original_url = None, None
            if rng.random() < 0.85:
                index = rng.choices(source_indexes, cum_weights=source_weights)[0]
                source_id, source = sources[index]
                if rng.random() < 0.80 / 0.85:
                    domain = source.domains[0] if rng.random() < 0.8 else source.domains[-1]
                    original_url = (
                        f"https://{domain}/{SECTIONS[rng.randrange(len(SECTIONS))]}/"
                        f"{published_at:%Y/%m/%d}/{base[:80].rstrip('-')}"
                    )
            tags: list[int] = []
            wanted = rng.randint(0, 3)
            while len(tags) < wanted:
                tag_id = tag_ids[rng.choices(tag_indexes, cum_weights=tag_weights)[0]]
                if tag_id not in tags:
                    tags.append(tag_id)
            row = {
                "id": number,
                "slug": f"{base}-{number}",
                "title": title,
                "status": "published",
                "published_at": published_at,
                "published_date": published_at.astimezone(ZONE).date(),
                "source_id": source_id,
                "author_id": author_id,
                "original_url": original_url,
                "credit": None,
                "language": "de",
                "body": body,
                "body_html": body_html,
                "excerpt": excerpt,
                "likes": rng.randint(0, 50),
                "created_at": published_at,
                "updated_at": published_at,
            }
            if number % CHECK_EVERY == 1:
                _check(row)
            yield row, sorted(tags)


def _check(row: dict[str, Any]) -> None:
    """The pooled rendering must agree with rendering the whole body, as the API does."""
    if (
        render_markdown(row["body"]) != row["body_html"]
        or make_excerpt(row["body"]) != row["excerpt"]
    ):
        raise RuntimeError(f"post {row['id']}: pooled HTML or excerpt differs from rendering")


def _count(session: Session, table: Any) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def _refuse(message: str) -> NoReturn:
    print(f"bench.dataset: {message}", file=sys.stderr)
    raise SystemExit(2)


def insert_sources(
    session: Session, specs: Sequence[SourceSpec], created_at: datetime
) -> list[tuple[int, SourceSpec]]:
    session.execute(
        insert(SOURCES),
        [
            {
                "slug": spec.slug,
                "name": spec.name,
                "homepage_url": f"https://{spec.domains[0]}/",
                "language": "de",
                "description": (
                    f"Erfundene Zeitung aus {spec.place} für Benchmarks: Politik, Wirtschaft "
                    "und Kultur aus der Region."
                ),
                "created_at": created_at,
                "updated_at": created_at,
            }
            for spec in specs
        ],
    )
    ids = dict(session.execute(select(SOURCES.c.slug, SOURCES.c.id)).all())
    session.execute(
        insert(SOURCE_DOMAINS),
        [{"domain": d, "source_id": ids[spec.slug]} for spec in specs for d in spec.domains],
    )
    return [(ids[spec.slug], spec) for spec in specs]


def insert_tags(session: Session) -> list[int]:
    """Ids of TAG_NAMES in their order; tags left over from deleted posts are reused."""
    slugs = [slugify(name, max_length=120) for name in TAG_NAMES]
    existing = dict(session.execute(select(TAGS.c.slug, TAGS.c.id)).all())
    missing = [
        {"name": name, "slug": slug}
        for name, slug in zip(TAG_NAMES, slugs, strict=True)
        if slug not in existing
    ]
    if missing:
        session.execute(insert(TAGS), missing)
    ids = dict(session.execute(select(TAGS.c.slug, TAGS.c.id)).all())
    return [ids[slug] for slug in slugs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, required=True, help="How many posts to create.")
    parser.add_argument("--database-url", required=True, help="sqlite:///PATH or postgresql://…")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=20)
    args = parser.parse_args()
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    if not 1 <= args.sources <= len(PLACES) * len(PAPERS):
        parser.error(f"--sources must be between 1 and {len(PLACES) * len(PAPERS)}")

    upgrade(args.database_url)
    database = open_database(args.database_url, zone=ZONE)
    try:
        with database.session(write=False) as session:
            posts, sources = _count(session, POSTS), _count(session, SOURCES)
        if posts or sources:
            _refuse(
                f"the database already has {posts} posts and {sources} sources; "
                "it needs an empty one"
            )
        try:
            user, token = database.call(
                auth.create_user, data=UserCreate(name=EDITOR, role=Role.editor)
            )
        except Conflict:
            _refuse(f"the database already has a user named {EDITOR!r}")
        assert user.id is not None
        print(f"editor token: {token}", flush=True)
        _fill(database, args.posts, args.seed, args.sources, user.id)
    finally:
        database.dispose()


@dataclass(frozen=True, slots=True)
class Plan:
    """What a dataset's posts are generated from, all drawn from one random.Random."""

    rng: random.Random
    specs: list[SourceSpec]
    writer: Writer
    pool: BodyPool
    days: list[tuple[date, int]]


def plan(posts: int, seed: int, source_count: int) -> Plan:
    rng = random.Random(seed)
    specs = make_sources(rng, source_count)
    writer = Writer(rng, specs, Lexicon(seed))
    pool = BodyPool(writer)
    return Plan(rng, specs, writer, pool, day_counts(rng, posts))


def _fill(database: Database, posts: int, seed: int, source_count: int, author_id: int) -> None:
    started = time.monotonic()
    planned = plan(posts, seed, source_count)
    pooled = time.monotonic() - started
    days = planned.days
    first_day = days[0][0]
    with database.session() as session:
        created = datetime(first_day.year, first_day.month, first_day.day, tzinfo=ZONE)
        sources = insert_sources(session, planned.specs, created.astimezone(UTC))
        tag_ids = insert_tags(session)

    rows = generate_posts(
        planned.rng,
        days=days,
        pool=planned.pool,
        writer=planned.writer,
        sources=sources,
        tag_ids=tag_ids,
        author_id=author_id,
    )

    def flush(batch: list[dict[str, Any]], links: list[dict[str, int]]) -> None:
        with database.session() as session:
            session.execute(insert(POSTS), batch)
            if links:
                session.execute(insert(POST_TAGS), links)

    # A batch also ends at every tenth of the posts, so progress is reported exactly there.
    marks = [-(-posts * tenth // 10) for tenth in range(1, 11)]
    done, tagged, tenth = 0, 0, 0
    batch: list[dict[str, Any]] = []
    links: list[dict[str, int]] = []
    for row, tags in rows:
        batch.append(row)
        links.extend({"post_id": row["id"], "tag_id": tag_id} for tag_id in tags)
        if len(batch) == BATCH or row["id"] == marks[tenth]:
            flush(batch, links)
            done += len(batch)
            tagged += len(links)
            batch, links = [], []
            while tenth < 10 and done >= marks[tenth]:
                tenth += 1
                elapsed = time.monotonic() - started
                print(f"{tenth * 10:3d}% {done:>9,} posts {elapsed:7.1f} s", flush=True)
    if database.engine.dialect.name == "postgresql":
        with database.session() as session:
            # The ids were given explicitly, so the sequence has to catch up for later inserts.
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('posts', 'id'), :last)"),
                {"last": posts},
            )
            # Statistics now, so benchmarks do not depend on when autovacuum gets to them.
            session.execute(text("ANALYZE"))
    elapsed = time.monotonic() - started
    print(
        f"{posts:,} posts ({len(days):,} days, {days[0][0]} to {days[-1][0]}; "
        f"{len(sources)} sources, {len(tag_ids)} tags, {tagged:,} post tags; seed {seed}) "
        f"in {elapsed:.1f} s (block pool {pooled:.1f} s): {posts / elapsed:,.0f} posts/s",
        flush=True,
    )


if __name__ == "__main__":
    main()
