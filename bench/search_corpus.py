"""The search relevance corpus: German (and some English) posts in the seed's shape, with labels.

    .venv/bin/python -m bench.search_corpus [--check]

A deterministic generator: random.Random(SEED) chooses, for each of POSTS posts, a topic
(bench.search_topics, in turns, so every topic has about as many posts), a source among the
topic's, a day between January and April 2022, a title template and sentence templates, and
fills their slots. A post is a title ending in its source's name (``Titel (TASS)``), a body of
plain paragraphs (the topic's lead sentence first), ``Weiterlesen`` and the original URL, and
for some a translation credit, as the press reviews write them. About a third of the German
posts also name another topic in passing. Each post carries its labels: topic, the topics it
mentions, source, language and month, from which bench.search_queries derives the judgments.

The output is committed as bench/search_corpus/corpus.json; ``--check`` exits 1 when it differs
from what the generator makes now. ``load`` writes the corpus through the API (sources, then
posts with their titles' source suffix recognised), so the database holds what a site would.
"""

import argparse
import json
import random
import string
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import httpx

from bench.search_topics import ASIDE, ASIDE_SHARE, ASIDES, EN, FILLER_DE, FILLER_EN, TOPICS, Topic

SEED = 20
POSTS = 336
ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2022, 1, 3)
DAYS = 117  # to 29 April 2022
FILE = Path(__file__).resolve().parent / "search_corpus" / "corpus.json"
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CREDITS = (
    "Übersetzung: Redaktion",
    "Übersetzung aus dem Russischen: Lena Hoffmann",
    "Übersetzung aus dem Chinesischen: Tim Becker",
)


class SourceSpec(NamedTuple):
    slug: str
    name: str
    domain: str
    language: str


SOURCES = (
    SourceSpec("tass", "TASS", "tass.com", "de"),
    SourceSpec("global-times", "Global Times", "globaltimes.cn", "de"),
    SourceSpec("german-foreign-policy", "german-foreign-policy.com",
               "german-foreign-policy.com", "de"),
    SourceSpec("junge-welt", "junge Welt", "jungewelt.de", "de"),
    SourceSpec("rt-de", "RT DE", "de.rt.com", "de"),
    SourceSpec("xinhua", "Xinhua", "english.news.cn", "de"),
    SourceSpec("cgtn", "CGTN", "cgtn.com", "de"),
)  # fmt: skip
BY_SLUG = {source.slug: source for source in SOURCES}


class CorpusPost(NamedTuple):
    """One post as the API takes it, with its labels (topic, source, language, month)."""

    number: int  # 1.. in publication order
    topic: str
    mentions: list[str]  # topics named in passing
    source: str  # slug
    language: str
    month: str  # YYYY-MM, site-local
    title: str  # with the source suffix
    body: str
    tags: list[str]
    published_at: str  # RFC 3339, UTC
    original_url: str
    credit: str | None


def _fill(template: str, rng: random.Random, topic: Topic, weekday: int) -> str:
    days = WEEKDAYS_EN if topic.language == EN else WEEKDAYS
    values: dict[str, str] = {}
    for _, name, _, _ in string.Formatter().parse(template):
        if not name or name in values:
            continue
        if name == "n":
            values[name] = str(rng.randint(2, 400))
        elif name == "day":
            values[name] = days[weekday]
        else:
            values[name] = rng.choice(topic.slots[name])
    return template.format(**values)


def _sentences(
    rng: random.Random, topic: Topic, weekday: int, count: int, used: set[str]
) -> list[str]:
    """``count`` sentences, most of the topic's own, no template twice in a post."""
    filler = FILLER_EN if topic.language == EN else FILLER_DE
    chosen: list[str] = []
    while len(chosen) < count:
        pool = topic.sentences if rng.random() < 0.65 else filler
        template = rng.choice(pool)
        if template in used:
            if all(item in used for item in topic.sentences + filler):
                break
            continue
        used.add(template)
        chosen.append(_fill(template, rng, topic, weekday))
    return chosen


def _post(rng: random.Random, topic: Topic, moment: datetime) -> dict[str, Any]:
    local = moment.astimezone(ZONE)
    weekday = local.weekday()
    source = BY_SLUG[rng.choice(topic.sources)]
    title = _fill(rng.choice(topic.titles), rng, topic, weekday)
    used: set[str] = set()
    first = [_fill(rng.choice(topic.leads), rng, topic, weekday)]
    first += _sentences(rng, topic, weekday, rng.randint(1, 2), used)
    paragraphs = [" ".join(first)]
    for _ in range(rng.randint(1, 3)):
        paragraphs.append(" ".join(_sentences(rng, topic, weekday, rng.randint(2, 3), used)))
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    mentions: list[str] = []
    if topic.language != EN and rng.random() < ASIDE_SHARE:
        # In the last paragraph: never in the excerpt, which comes from the first.
        other = rng.choice([key for key in ASIDES if key != topic.key])
        mentions.append(other)
        paragraphs[-1] += " " + ASIDE.format(aside=ASIDES[other])
    url = f"https://{source.domain}/news/{rng.randint(100_000, 999_999)}"
    paragraphs.append(f"Weiterlesen\n{url}" if topic.language != EN else f"Read more\n{url}")
    credit = None
    if topic.language != EN and rng.random() < 0.3:
        credit = rng.choice(CREDITS)
        paragraphs.append(credit)
    tags = list(topic.tags)
    return {
        "topic": topic.key,
        "mentions": mentions,
        "source": source.slug,
        "language": topic.language,
        "month": f"{local.year:04d}-{local.month:02d}",
        "title": f"{title} ({source.name})",
        "body": "\n\n".join(paragraphs),
        "tags": tags,
        "published_at": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "original_url": url,
        "credit": credit,
    }


def generate(seed: int = SEED, posts: int = POSTS) -> list[CorpusPost]:
    """The corpus: the same seed gives the same posts, in publication order."""
    rng = random.Random(seed)
    order = list(TOPICS)
    drafts: list[tuple[datetime, dict[str, Any]]] = []
    for index in range(posts):
        if index % len(order) == 0:
            rng.shuffle(order)
        topic = order[index % len(order)]
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        # Daytime only: no post lies near a month's boundary in any time zone's reading.
        local = datetime(day.year, day.month, day.day, rng.randint(7, 20), rng.randrange(60),
                         tzinfo=ZONE)  # fmt: skip
        drafts.append((local, _post(rng, topic, local)))
    drafts.sort(key=lambda item: item[0])
    return [CorpusPost(number=number, **fields) for number, (_, fields) in enumerate(drafts, 1)]


def as_json(posts: Sequence[CorpusPost]) -> str:
    """One post a line: small diffs when a template changes."""
    sources = [source._asdict() for source in SOURCES]
    lines = [json.dumps(post._asdict(), ensure_ascii=False) for post in posts]
    return (
        '{"sources": ' + json.dumps(sources, ensure_ascii=False) + ',\n "posts": [\n'
        + ",\n".join(lines) + "\n]}\n"
    )  # fmt: skip


def read(path: Path = FILE) -> list[CorpusPost]:
    """The committed corpus."""
    data = json.loads(path.read_text())
    return [CorpusPost(**item) for item in data["posts"]]


def load(client: httpx.Client, token: str, posts: Sequence[CorpusPost]) -> dict[int, int]:
    """Create the sources and posts through the API; the post id of each corpus number."""
    headers = {"Authorization": f"Bearer {token}"}
    for source in SOURCES:
        response = client.post(
            "/api/v1/sources",
            headers=headers,
            json={"name": source.name, "slug": source.slug, "domains": [source.domain],
                  "homepage_url": f"https://{source.domain}/", "language": source.language},
        )  # fmt: skip
        if response.status_code != 201:
            raise RuntimeError(f"source {source.slug}: {response.status_code} {response.text}")
    ids: dict[int, int] = {}
    for post in posts:
        response = client.post(
            "/api/v1/posts",
            headers=headers,
            json={"title": post.title, "body": post.body, "tags": post.tags,
                  "language": post.language, "status": "published",
                  "published_at": post.published_at, "original_url": post.original_url,
                  "credit": post.credit},
        )  # fmt: skip
        created = response.json()
        if response.status_code != 201:
            raise RuntimeError(f"post {post.number}: {response.status_code} {response.text}")
        if (created["source"] or {}).get("slug") != post.source:
            raise RuntimeError(f"post {post.number}: its source was not recognised: {created}")
        ids[post.number] = created["id"]
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="Compare with the committed file.")
    args = parser.parse_args()
    made = as_json(generate())
    if args.check:
        if not FILE.exists() or FILE.read_text() != made:
            sys.exit(f"{FILE.name} differs from the generator's output: run bench.search_corpus")
        print(f"{FILE.name} is the generator's output")
        return
    FILE.parent.mkdir(parents=True, exist_ok=True)
    FILE.write_text(made)
    posts = read()
    english = sum(post.language == EN for post in posts)
    print(f"{len(posts)} posts ({english} in English), {len(made.encode()):,} bytes: {FILE.name}")


if __name__ == "__main__":
    main()
