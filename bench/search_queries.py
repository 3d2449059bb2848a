"""The relevance queries and their judgments, derived from the corpus's labels.

Judged by construction: every post of a topic holds the topic's core words (its title
templates and every one of its lead sentences name them, bench.search_topics), and no other
topic's text does. So the posts relevant to a query are those whose labels match: the topics
it names, within its source or month filter when it has one, less the posts that mention a
topic it excludes. Posts that name its topic only in passing match its words but are not
relevant: ranking has to put the posts about it first. No one
read the posts to judge them; tests/test_bench_search.py checks that the labels agree with the
generated text (``evidence``: folded substrings every post of the topics holds, and no other
post does unless it mentions one of them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.search_corpus import CorpusPost


@dataclass(frozen=True, slots=True)
class Judged:
    """A query, what it tests, the topics it is about, and its filters."""

    q: str
    covers: (
        str  # word, inflection, folding, compound, phrase, or, exclusion, prefix, english, filter
    )
    topics: tuple[str, ...]
    evidence: tuple[str, ...]  # folded substrings: a post of the topics holds one of them
    source: str | None = None
    month: str | None = None  # YYYY-MM
    excluded: tuple[str, ...] = ()  # topics whose mention excludes a post (-word)

    def relevant(self, posts: Sequence[CorpusPost]) -> set[int]:
        """The numbers of the relevant posts."""
        return {
            post.number
            for post in posts
            if post.topic in self.topics
            and (self.source is None or post.source == self.source)
            and (self.month is None or post.month == self.month)
            and not set(post.mentions).intersection(self.excluded)
        }

    def label(self) -> str:
        """The query as typed, with its filter: ``Kasachstan [source tass]``."""
        if self.source is not None:
            return f"{self.q} [source {self.source}]"
        return f"{self.q} [{self.month}]" if self.month is not None else self.q

    def params(self) -> str:
        """The query string of /api/v1/search for this query (page and size added later)."""
        pairs = [("q", self.q)]
        if self.source is not None:
            pairs.append(("source", self.source))
        if self.month is not None:
            pairs += list(_month_range(self.month).items())
        return urlencode(pairs)


def _month_range(month: str) -> dict[str, str]:
    """after/before bounds of a site-local month (Europe/Berlin: the corpus's posts are all
    published in the daytime, so an hour's offset never moves one across a boundary)."""
    year, number = (int(part) for part in month.split("-"))
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    return {"after": f"{month}-01T00:00:00+01:00", "before": f"{following}-01T00:00:00+01:00"}


def _q(
    q: str, covers: str, *topics: str, evidence: Sequence[str] = (), excluded: str | None = None,
    **filters: str,
) -> Judged:  # fmt: skip
    found = tuple(evidence) or (q.casefold(),)
    left_out = (excluded,) if excluded else ()
    return Judged(q=q, covers=covers, topics=topics, evidence=found, excluded=left_out, **filters)


QUERIES: tuple[Judged, ...] = (
    _q("Kasachstan", "word", "kasachstan"),
    _q("Kasachstans", "inflection", "kasachstan", evidence=["kasachstan"]),
    _q("Unruhen", "inflection", "kasachstan", evidence=["unruhe"]),
    _q("Unruhe", "inflection", "kasachstan"),
    _q(
        '"Unruhen in Kasachstan"',
        "phrase",
        "kasachstan",
        evidence=["unruhen in kasachstan", "unruhe in kasachstan"],
    ),
    _q("Kasach*", "prefix", "kasachstan", evidence=["kasach"]),
    _q("Kasachstan", "filter", "kasachstan", source="tass"),
    _q("Kasachstan", "filter", "kasachstan", month="2022-01"),
    _q("Energiewende", "word", "energiewende"),
    _q("Energie", "compound", "energiewende"),
    _q("Wende", "compound", "energiewende", "zeitenwende"),
    _q(
        "Wende -Zeitenwende",
        "exclusion",
        "energiewende",
        evidence=["energiewende"],
        excluded="zeitenwende",
    ),
    _q("Zeitenwende", "word", "zeitenwende"),
    _q("Sondervermögen", "umlaut", "zeitenwende", evidence=["sondervermogen"]),
    _q("Sondervermoegen", "folding", "zeitenwende", evidence=["sondervermogen"]),
    _q("Wasserstoffstrategie", "word", "wasserstoff"),
    _q("Wasserstoff", "compound", "wasserstoff"),
    _q("Wasserst*", "prefix", "wasserstoff", evidence=["wasserst"]),
    _q("Energiewende", "filter", "energiewende", source="german-foreign-policy"),
    _q("Außenpolitik", "sharp s", "aussenpolitik", evidence=["aussenpolitik"]),
    _q("Aussenpolitik", "folding", "aussenpolitik"),
    _q("Politik", "compound", "aussenpolitik"),
    _q("Ärzte", "umlaut", "aerzte", evidence=["arzte"]),
    _q("ärzte", "folding", "aerzte", evidence=["arzte"]),
    _q("Aerzte", "folding", "aerzte", evidence=["arzte"]),
    _q("Arzt", "inflection", "aerzte"),
    _q("Seidenstraße", "sharp s", "seidenstrasse", evidence=["seidenstrasse"]),
    _q("Seidenstrasse", "folding", "seidenstrasse"),
    _q('"Neue Seidenstraße"', "phrase", "seidenstrasse", evidence=["neue seidenstrasse"]),
    _q("Strasse", "compound", "seidenstrasse", "strassenproteste"),
    _q(
        "Straße -Seidenstraße",
        "exclusion",
        "strassenproteste",
        evidence=["auf die strasse", "auf der strasse", "die strasse vor"],
        excluded="seidenstrasse",
    ),
    _q("Löwenthal", "umlaut", "loewenthal", evidence=["lowenthal"]),
    _q("Loewenthal", "folding", "loewenthal", evidence=["lowenthal"]),
    _q("Lowenthal", "folding", "loewenthal"),
    _q("Sanktionen", "word", "sanktionen"),
    _q("Sanktion", "inflection", "sanktionen"),
    _q("Sanktion*", "prefix", "sanktionen", evidence=["sanktion"]),
    _q("Sanktionen", "filter", "sanktionen", month="2022-03"),
    _q("Taiwan", "hyphen", "taiwan"),
    _q("Taiwan", "filter", "taiwan", source="xinhua"),
    _q("NATO", "word", "nato"),
    _q("Osterweiterung", "hyphen", "nato"),
    _q('"Nord Stream"', "phrase", "nordstream", evidence=["nord stream"]),
    _q("Pipeline", "loan word", "nordstream"),
    _q("Inflation", "word", "inflation"),
    _q("Lebensmittelpreise", "word", "inflation"),
    _q("Software", "loan word", "startups"),
    _q("Startups", "loan word", "startups", evidence=["startup"]),
    _q("Startup", "loan word", "startups"),
    _q("Klimagipfel", "word", "klimagipfel"),
    _q("Emissionen", "word", "klimagipfel"),
    _q("Gipfel", "compound", "klimagipfel"),
    _q("Mali OR Sahel", "or", "mali", evidence=["mali"]),
    _q("Präsidentschaftswahl", "umlaut", "frankreich", evidence=["prasidentschaftswahl"]),
    _q("Praesidentschaftswahl", "folding", "frankreich", evidence=["prasidentschaftswahl"]),
    _q("Wahl", "compound", "frankreich"),
    _q("Omikron", "word", "omikron"),
    _q("Lockdown", "loan word", "omikron"),
    _q("Corona-Krise", "hyphen", "omikron"),
    _q("Krise", "hyphen part", "omikron"),
    _q("Atomabkommen", "inflection", "iran"),
    _q("Iran", "word", "iran"),
    _q("Hungersnot", "word", "afghanistan"),
    _q("Afghanistan", "word", "afghanistan"),
    _q("Donbass OR Arktis", "or", "donbass", "arktis", evidence=["donbass", "arktis"]),
    _q("Waffenstillstand", "word", "donbass"),
    _q("Eisbrecher", "word", "arktis"),
    _q("Kuba Blockade", "two words", "kuba", evidence=["blockade"]),
    _q("Pressefreiheit", "word", "pressefreiheit"),
    _q("Freiheit", "compound", "pressefreiheit"),
    _q("tariffs", "english", "en_trade"),
    _q("tariff", "english", "en_trade"),
    _q('"space station"', "english phrase", "en_space", evidence=["space station"]),
    _q("astronaut", "english", "en_space"),
    _q("vaccine", "english", "en_vaccines", evidence=["vaccin"]),
)
