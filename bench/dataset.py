"""A deterministic dataset for the benchmarks: sources, tags, one editor and N published posts.

    .venv/bin/python -m bench.dataset --posts 100000 --database-url URL [--seed 1] [--sources 20]

Migrates the database (SQLite or PostgreSQL), refuses one that already has posts or sources
(exit 2), and fills it with fictional sources (``.example`` domains, a few with two), about 50
tags, one editor (its token is printed, so benchmarks can write) and N published posts: 30–60
a day in Europe/Berlin, going back from 31 October 2026, each with a German title, a 2–4 KB
Markdown body, 0–3 tags, and a source and original URL for most of them.

The same seed and N give the same rows, ids included; only the editor's token and its time
stamps differ between runs. Bodies are put together from a pool of paragraphs, headings,
quotes and lists that is rendered once: the HTML of plain blocks separated by blank lines is
the HTML of each block in turn, and the excerpt comes from the first paragraph alone, which is
always longer than an excerpt. Every 1,000th post is checked against render_markdown and
make_excerpt of its whole body.

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

ZONE = ZoneInfo("Europe/Berlin")
# Exclusive: the newest posts are on 31 October 2026, so none is scheduled in the future.
END_DAY = date(2026, 11, 1)
POSTS_PER_DAY = (30, 60)
BATCH = 2000
CHECK_EVERY = 1000
EDITOR = "Benchmark-Redaktion"
# Body sizes in UTF-8 bytes: a body grows by whole blocks until it reaches its target, and no
# block adds more than BLOCK_MAX, so every body lies between 2,000 and 4,000 bytes.
BODY_TARGET = (2100, 3300)
BLOCK_MAX = 680

POSTS = metadata.tables["posts"]
TAGS = metadata.tables["tags"]
POST_TAGS = metadata.tables["post_tags"]
SOURCES = metadata.tables["sources"]
SOURCE_DOMAINS = metadata.tables["source_domains"]

# Fictional places and their adjectives, for source names and text.
PLACES = [
    ("Nordhafen", "Nordhafener"), ("Elbtal", "Elbtaler"), ("Süderau", "Süderauer"),
    ("Rheinbrück", "Rheinbrücker"), ("Mühlbach", "Mühlbacher"), ("Grünwiesen", "Grünwiesener"),
    ("Ostermoor", "Ostermoorer"), ("Lindenau", "Lindenauer"), ("Bärental", "Bärentaler"),
    ("Fürstenhagen", "Fürstenhagener"), ("Weißenfurt", "Weißenfurter"),
    ("Kleinölsen", "Kleinölsener"), ("Hochmoor", "Hochmoorer"), ("Sandkrug", "Sandkruger"),
    ("Kieferstadt", "Kieferstädter"), ("Tannenbühl", "Tannenbühler"),
]  # fmt: skip
PAPERS = [
    "Tageblatt", "Rundschau", "Kurier", "Anzeiger", "Allgemeine", "Nachrichten", "Bote", "Echo",
    "Zeitung", "Post", "Volksblatt", "Morgenpost", "Abendblatt", "Wochenspiegel", "Landeszeitung",
]  # fmt: skip
PLACE_NAMES = [place for place, _ in PLACES]
SECTIONS = ["politik", "wirtschaft", "kultur", "region", "sport", "wissen", "meinung"]
TAG_NAMES = [
    "Energie", "Wärmepumpen", "Klimaschutz", "Verkehr", "Öffentlicher Nahverkehr", "Mieten",
    "Wohnungsbau", "Bildung", "Schulen", "Gesundheit", "Krankenhäuser", "Pflege", "Rente",
    "Steuern", "Haushalt", "Arbeitsmarkt", "Gewerkschaften", "Landwirtschaft", "Umwelt",
    "Wasser", "Digitalisierung", "Datenschutz", "Justiz", "Polizei", "Kommunalpolitik",
    "Landespolitik", "Bundespolitik", "Europa", "Außenpolitik", "Migration", "Kultur", "Theater",
    "Musik", "Sport", "Fußball", "Wissenschaft", "Hochschulen", "Medien", "Pressefreiheit",
    "Wetter", "Hochwasser", "Tourismus", "Handel", "Industrie", "Mittelstand", "Bahn",
    "Radverkehr", "Stadtentwicklung", "Soziales", "Familie", "Verbraucher", "Lebensmittel",
]  # fmt: skip
SUBJECTS = [
    "die Bundesregierung", "der Stadtrat von {place}", "die Opposition", "der Landkreis {place}",
    "die Verbraucherzentrale", "ein Bündnis aus Umweltverbänden", "die Gewerkschaft",
    "der Wirtschaftsminister", "die Bürgermeisterin von {place}", "das Bundesamt für Verkehr",
    "die Industrie- und Handelskammer", "der Mieterverein", "die Ärztekammer",
    "der Bauernverband", "die Europäische Kommission", "das Verwaltungsgericht",
    "die Landesregierung", "der Gemeinderat von {place}", "der Zweckverband {place}",
    "der Rechnungshof", "die Kultusministerin", "eine Bürgerinitiative aus {place}",
    "der Verkehrsverbund", "die Handwerkskammer", "der Landrat", "die Schulleitung",
    "der Energieversorger", "die Staatsanwaltschaft", "ein Gutachten der Hochschule {place}",
    "der Sozialverband", "die Klinikleitung", "der Umweltausschuss",
]  # fmt: skip
VERBS = [
    "kritisiert", "fordert", "begrüßt", "prüft", "verteidigt", "unterstützt", "bezweifelt",
    "verschiebt", "plant", "bestätigt", "untersucht", "befürwortet", "stoppt", "überarbeitet",
    "blockiert", "beschleunigt", "hinterfragt", "verwirft erneut", "überprüft", "fördert",
]  # fmt: skip
OBJECTS = [
    "die geplante Erhöhung der Grundsteuer", "den Ausbau der Stromnetze",
    "das neue Schulgesetz", "die Schließung des Hallenbads", "den Neubau der Ortsumgehung",
    "die Förderung von Wärmepumpen", "die Reform der Pflegeversicherung",
    "den Haushaltsentwurf für das kommende Jahr", "die Sanierung der Brücke über die Aue",
    "die Preiserhöhung im Nahverkehr", "das Tempolimit in der Innenstadt",
    "die Fusion der beiden Kreiskrankenhäuser", "den Bau von 400 Sozialwohnungen",
    "die Privatisierung der Müllabfuhr", "die Öffnungszeiten der Bürgerämter",
    "das Verbot von Einwegverpackungen", "die Mietpreisbremse", "den Stellenabbau im Werk",
    "die Digitalisierung der Gesundheitsämter", "die Verlängerung der Straßenbahnlinie",
    "den Hochwasserschutz am Fluss", "die Gebühren für Kindertagesstätten",
    "die Ansiedlung eines Chipwerks", "das Konzept für autofreie Sonntage",
    "die Übernahme der Lokalzeitung", "den Ausstieg aus der Braunkohle",
    "die Zusammenlegung der Grundschulen", "die Vergabe der Bauaufträge",
    "den Rückbau des alten Güterbahnhofs", "die Ausweitung der Videoüberwachung",
    "das Förderprogramm für Lastenräder", "die Neuordnung der Landkreise",
]  # fmt: skip
ADVERBIALS = [
    "am Dienstag", "nach langen Verhandlungen", "trotz heftiger Kritik", "überraschend deutlich",
    "in einer ersten Stellungnahme", "seit Wochen", "vor der Landtagswahl",
    "zum wiederholten Mal", "mit Nachdruck", "im zweiten Anlauf", "angesichts steigender Kosten",
    "hinter verschlossenen Türen", "bis zum Frühjahr", "nach einem Bericht der Lokalpresse",
    "am späten Abend", "auf Druck der Anwohner", "ohne Gegenstimme", "völlig unerwartet",
    "nach monatelangem Streit", "in der Sitzung am Donnerstag", "für die nächsten fünf Jahre",
]  # fmt: skip
SPEAKERS = [
    "eine Sprecherin des Ministeriums", "der Fraktionsvorsitzende", "die Geschäftsführerin",
    "ein Anwohner", "der Landrat", "die Vorsitzende des Ausschusses",
    "ein Sprecher der Stadtwerke", "die Präsidentin der Kammer", "ein Betriebsrat",
    "die Schulleiterin", "ein Gutachter", "der Bürgermeister",
]  # fmt: skip
QUOTES = [
    "Wir brauchen jetzt schnelle Lösungen", "Das ist ein wichtiges Signal für die Region",
    "So kann es nicht weitergehen", "Die Zahlen sprechen eine deutliche Sprache",
    "Wir haben die Sorgen der Bürgerinnen und Bürger ernst genommen",
    "Niemand hat mit einer so großen Beteiligung gerechnet", "Das Geld fehlt an allen Ecken",
    "Für die Beschäftigten ist das eine gute Nachricht", "Wir prüfen alle rechtlichen Schritte",
    "Die Entscheidung kommt Jahre zu spät", "Jetzt müssen den Worten Taten folgen",
    "Ohne Zuschüsse wird das nicht funktionieren",
]  # fmt: skip
JUDGEMENTS = [
    "überfälligen", "gefährlichen", "mutigen", "halbherzigen", "teuren", "symbolischen",
    "fragwürdigen", "vernünftigen", "übereilten", "längst nötigen",
]  # fmt: skip
AFFECTED = [
    "Haushalte", "Beschäftigte", "Schülerinnen und Schüler", "Pendlerinnen und Pendler",
    "Betriebe", "Mieterinnen und Mieter", "Patientinnen und Patienten", "Fahrgäste",
]  # fmt: skip
WHEN = [
    "im Herbst", "noch vor Jahresende", "in der nächsten Sitzung", "frühestens im Sommer",
    "nach der Sommerpause", "bis Ende des Monats", "im kommenden Frühjahr",
]  # fmt: skip
HEADINGS = [
    "Was die Reform bedeutet", "Kritik aus der Opposition", "Wie es weitergeht",
    "Die Zahlen im Überblick", "Stimmen aus der Region", "Hintergrund", "Offene Fragen",
    "Was Betroffene jetzt wissen müssen", "Streit um die Kosten", "Die Vorgeschichte",
    "Reaktionen", "Ein Blick über die Grenze", "Was Fachleute sagen", "Der Zeitplan",
]  # fmt: skip


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _size(text: str) -> int:
    return len(text.encode())


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    slug: str
    place: str
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """A Markdown block of the pool, rendered once."""

    markdown: str
    html: str
    size: int


@dataclass(frozen=True, slots=True)
class Lead(Block):
    excerpt: str


class Writer:
    """German-like text from the word lists, every choice drawn from one random.Random."""

    def __init__(self, rng: random.Random, sources: Sequence[SourceSpec]) -> None:
        self.rng = rng
        self.domains = [domain for source in sources for domain in source.domains]

    def _pick(self, words: Sequence[str]) -> str:
        return words[self.rng.randrange(len(words))]

    def subject(self) -> str:
        return self._pick(SUBJECTS).format(place=self._pick(PLACE_NAMES))

    def clause(self) -> str:
        return f"{self.subject()} {self._pick(VERBS)} {self._pick(OBJECTS)}"

    def url(self) -> str:
        return (
            f"https://{self._pick(self.domains)}/{self._pick(SECTIONS)}/"
            f"{self.rng.randint(100_000, 999_999)}"
        )

    def sentence(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            obj = self._pick(OBJECTS)
            if rng.random() < 0.15:
                obj = f"**{obj}**"
            return f"{_cap(self.subject())} {self._pick(VERBS)} {obj} {self._pick(ADVERBIALS)}."
        if roll < 0.55:
            adverbial = _cap(self._pick(ADVERBIALS))
            if rng.random() < 0.15:
                adverbial = f"*{adverbial}*"
            return f"{adverbial} {self._pick(VERBS)} {self.subject()} {self._pick(OBJECTS)}."
        if roll < 0.67:
            return f"„{self._pick(QUOTES)}“, sagte {self._pick(SPEAKERS)}."
        if roll < 0.75:
            return f"Kritiker sprechen von einem {self._pick(JUDGEMENTS)} Schritt."
        if roll < 0.83:
            return (
                f"Betroffen sind nach ersten Schätzungen rund {rng.randint(2, 950) * 100:,} "
                f"{self._pick(AFFECTED)}.".replace(",", ".")
            )
        if roll < 0.90:
            return (
                f"Die Kosten werden auf {rng.randint(2, 480)} Millionen Euro geschätzt; "
                f"eine Entscheidung soll {self._pick(WHEN)} fallen."
            )
        if roll < 0.94:
            return f"Mehr dazu steht in einem [ausführlichen Bericht]({self.url()})."
        if roll < 0.97:
            return f"Der vollständige Bericht: {self.url()}"
        return f"{_cap(self.clause())}; Fachleute rechnen trotzdem mit weiteren Verzögerungen."

    def paragraph(self, low: int, high: int) -> str:
        """Sentences up to a target size between low and high, overshooting by 60 at most."""
        target = self.rng.randint(low, high)
        sentences: list[str] = []
        size = -1
        while size < target:
            sentence = self.sentence()
            if size + 1 + _size(sentence) <= high + 60:
                sentences.append(sentence)
                size += 1 + _size(sentence)
        return " ".join(sentences)

    def heading(self) -> str:
        if self.rng.random() < 0.5:
            return f"## {self._pick(HEADINGS)}"
        return f"## {self._pick(HEADINGS)}: {self._pick(PLACE_NAMES)}"

    def quote(self) -> str:
        return f"> „{self._pick(QUOTES)}“ – {_cap(self._pick(SPEAKERS))}"

    def bullet_list(self) -> str:
        items = self.rng.sample(OBJECTS, self.rng.randint(3, 5))
        return "\n".join(f"- {_cap(item)}" for item in items)

    def title(self) -> str:
        roll = self.rng.random()
        if roll < 0.35:
            return _cap(self.clause())
        if roll < 0.60:
            return f"{self._pick(TAG_NAMES)}: {_cap(self.clause())}"
        if roll < 0.75:
            return f"{self._pick(PLACE_NAMES)}: {_cap(self.clause())}"
        if roll < 0.90:
            return f"Streit um {self._pick(OBJECTS)} in {self._pick(PLACE_NAMES)}"
        return f"„{self._pick(QUOTES)}“ – {_cap(self.clause())}"


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


class BodyPool:
    """Leads (first paragraphs) and follow-up units (a paragraph, maybe after a heading, quote
    or list), each rendered once; bodies are a lead and units, separated by blank lines."""

    def __init__(self, writer: Writer) -> None:
        self.leads = [self._lead(writer.paragraph(420, 580)) for _ in range(1500)]
        self.units = [self._block(writer.paragraph(200, 500)) for _ in range(3000)]
        extras = (
            [writer.heading() for _ in range(300)]
            + [writer.quote() for _ in range(300)]
            + [writer.bullet_list() for _ in range(300)]
        )
        # Every unit ends with a paragraph, so two lists never meet and merge into one.
        self.units += [self._block(f"{extra}\n\n{writer.paragraph(150, 250)}") for extra in extras]

    @staticmethod
    def _block(markdown: str) -> Block:
        size = _size(markdown)
        if size + 2 > BLOCK_MAX:
            raise RuntimeError(f"a block of {size} bytes is larger than {BLOCK_MAX}")
        return Block(markdown=markdown, html=render_markdown(markdown), size=size)

    @classmethod
    def _lead(cls, markdown: str) -> Lead:
        block = cls._block(markdown)
        excerpt = make_excerpt(markdown)
        # A cut excerpt means the lead alone is longer than any excerpt, so a body's excerpt
        # is its lead's whatever follows.
        if not excerpt.endswith(" …"):
            raise RuntimeError("a lead paragraph is shorter than an excerpt")
        return Lead(markdown=block.markdown, html=block.html, size=block.size, excerpt=excerpt)

    def body(self, rng: random.Random) -> tuple[str, str, str]:
        """Markdown, HTML and excerpt of a new body."""
        lead = self.leads[rng.randrange(len(self.leads))]
        target = rng.randint(*BODY_TARGET)
        markdown, html, size = [lead.markdown], [lead.html], lead.size
        while size < target:
            unit = self.units[rng.randrange(len(self.units))]
            markdown.append(unit.markdown)
            html.append(unit.html)
            size += 2 + unit.size
        return "\n\n".join(markdown), "".join(html), lead.excerpt


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
            title = writer.title()
            base = slugify(title, max_length=SLUG_MAX_LENGTH - 8) or "beitrag"
            body, body_html, excerpt = pool.body(rng)
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


def _fill(database: Database, posts: int, seed: int, source_count: int, author_id: int) -> None:
    started = time.monotonic()
    rng = random.Random(seed)
    specs = make_sources(rng, source_count)
    writer = Writer(rng, specs)
    pool = BodyPool(writer)
    pooled = time.monotonic() - started
    days = day_counts(rng, posts)
    first_day = days[0][0]
    with database.session() as session:
        created = datetime(first_day.year, first_day.month, first_day.day, tzinfo=ZONE)
        sources = insert_sources(session, specs, created.astimezone(UTC))
        tag_ids = insert_tags(session)

    rows = generate_posts(
        rng,
        days=days,
        pool=pool,
        writer=writer,
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
