"""Search in the load benchmark: the queries, by frequency band of the dataset's vocabulary.

Queries come from the dataset's own vocabulary. The bands:

- ``rare``: words in fewer than 0.1 % of the posts. Their shares come from the search index's
  vocabulary (``search_words``: in how many indexed posts each folded word is, counted at each
  indexing and never down, so never less than the truth), which covers every post: of the
  words a sample of 5,000 of 100,000 posts shows in fewer than 0.1 % of them, some are in
  twice that many (1 % of them in the generated dataset). Without an index, from the sample
  (the band's ``note`` says so when the sample is not the whole dataset), and when no word
  is that rare (a dataset of fixed word lists), the rarest tenth of the sample's words, with
  a ``note`` saying so and its ``max_share`` giving the share they really have;
- ``two``: two content words of one real post (so the query finds something);
- ``phrase``: three consecutive words of a real post, quoted;
- ``filtered``: a word of a real post with that post's source or month as a filter;
- ``commonest``: the most frequent content words.

All but ``rare`` are drawn from the words of a random sample of the posts (titles and bodies),
counted once per post, which gives each common word's share well enough.

Each band is one scenario of the load benchmark (bench.scenarios); bench.search_report sets
the throughput of search beside cold single-post reads of the same run and the p95 of each
band beside its target; bench.search_index indexes a dataset and measures its index.
"""

import dataclasses
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlencode

from sqlalchemy import Connection, inspect, text

from app.core.db import create_db_engine
from bench.kinds import API

BANDS = ("rare", "two", "phrase", "filtered", "commonest")
RARE_SHARE = 0.001
RAREST_PART = 0.1  # of the vocabulary, when no word is rarer than RARE_SHARE
COMMONEST = 20
MIN_LENGTH = 5  # letters of a content word
QUERIES = 500  # per band
SAMPLE = 5000  # posts read for the vocabulary
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


class Vocabulary(NamedTuple):
    """The words of a whole dataset in fewer than RARE_SHARE of its posts, as written, with
    the largest share of the posts each can be in."""

    posts: int
    rare: Mapping[str, float]


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
    sample: Sequence[SampledPost],
    rng: random.Random,
    count: int = QUERIES,
    vocabulary: Vocabulary | None = None,
) -> dict[str, Band]:
    """The queries of each band, drawn with ``rng``: the rare words from the whole dataset's
    ``vocabulary`` when there is one, the others (and without it the rare ones) from the
    sample's."""
    counts = document_counts(post.text for post in sample)
    posts = max(1, len(sample))
    share = {word: found / posts for word, found in counts.items()}
    by_frequency = sorted(counts, key=lambda word: (counts[word], word))
    commonest = by_frequency[::-1][:COMMONEST]
    rare_share: Mapping[str, float] = share
    note = ""
    if vocabulary is not None and len(vocabulary.rare) >= COMMONEST:
        rare = sorted(vocabulary.rare)
        rare_share = vocabulary.rare
    else:
        rare = [word for word in by_frequency if share[word] < RARE_SHARE]
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

    def largest(pool: Iterable[str], shares: Mapping[str, float] = share) -> float:
        return max((shares[word] for word in pool), default=0.0)

    pair_words = {word for query in two for word in query.removeprefix("q=").split("+")}
    return {
        "rare": Band("rare", drawn(rare), len(rare), largest(rare, rare_share), note),
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


_RARE_WORDS = text("SELECT shown, uses FROM search_words WHERE uses < :most ORDER BY word")


def rare_vocabulary(connection: Connection, share: float = RARE_SHARE) -> Vocabulary | None:
    """The words of the search index's vocabulary in fewer than ``share`` of the indexed
    posts, as first written (content words of letters only), with their shares; None
    without an index."""
    if not inspect(connection).has_table("search_words"):
        return None
    posts = connection.execute(text("SELECT count(*) FROM post_search")).scalar_one()
    if not posts:
        return None
    rare = {
        row.shown: row.uses / posts
        for row in connection.execute(_RARE_WORDS, {"most": share * posts})
        if WORD.fullmatch(row.shown) and is_content(row.shown.casefold())
    }
    return Vocabulary(posts, rare)


def collect_bands(database_url: str, seed: int) -> dict[str, Band]:
    """Read a sample of the database's posts, and its index's rare words, and draw every
    band's queries from them."""
    rng = random.Random(seed)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            sample = sample_posts(connection, rng)
            vocabulary = rare_vocabulary(connection)
            (posts,) = connection.execute(text("SELECT count(*) FROM posts")).one()
    finally:
        engine.dispose()
    if not sample:
        return {}
    bands = choose_bands(sample, rng, vocabulary=vocabulary)
    rare = bands["rare"]
    if vocabulary is None and len(sample) < posts and not rare.note:
        note = f"shares estimated from a sample of {len(sample):,} of {posts:,} posts"
        bands["rare"] = dataclasses.replace(rare, note=note)
    return bands
