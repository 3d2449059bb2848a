"""Recognising a post's source: by the end of its title, or by its original URL's host.

Shared by the importers and by ``POST /sources/match``. The title rules are pure functions
(``split_title``); ``match_source`` and ``learn_domain`` take a session and send a fixed
number of queries, however many sources there are.
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlmodel import Session, col

from app.core.db import insert_ignoring_duplicates
from app.core.errors import NotFound
from app.core.types import utcnow
from app.events.record import Action, Ref, record
from app.sources.models import SOURCE_NAME_MAX, Source, SourceDomain
from app.sources.schemas import DOMAINS_PER_SOURCE_MAX, MatchReason, SourceRef, normalize_domain

# Words that make a parenthesised suffix part of the title ("(Teil 2)", "(mit Video)"),
# never a publication's name. Compared case-insensitively with every word of the suffix.
EDITORIAL_WORDS = frozenset(
    {
        "teil", "part", "folge", "fortsetzung", "nachtrag", "update", "updated", "korrektur",
        "video", "audio", "podcast", "foto", "interview", "kommentar", "analyse", "analysis",
    }
)  # fmt: skip
# Longer parenthesised suffixes read as a remark, not as a publication's name.
PUBLICATION_WORDS_MAX = 6
# Characters left dangling once a source is cut off: "Title – german-foreign-policy.com".
_SEPARATORS = " \t-–—|:·,;"
_ROMAN_NUMERAL = re.compile(r"(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
# Dot-separated labels ending in a top-level domain of lower-case letters: "tass.ru" but
# neither "3.5" nor "Mio.Euro".
_DOMAIN_LIKE = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[a-z]{2,63}")


class SuffixShape(StrEnum):
    PARENTHESES = "parentheses"  # "Title (Global Times China)"
    TRAILING = "trailing"  # "Title german-foreign-policy.com"


@dataclass(frozen=True)
class TitleSplit:
    """A title cut into the title proper and the source its end names."""

    title: str
    source_name: str | None  # as the title writes it
    shape: SuffixShape | None  # None when the title names no source
    known: bool  # source_name is a known source's name or domain
    why: str


@dataclass(frozen=True)
class SourceMatch:
    source: SourceRef | None
    title: str | None  # the clean title; None when no title was given
    reason: MatchReason
    detail: str
    suggested_name: str | None = None


def as_domain(text: str) -> str | None:
    """``German-Foreign-Policy.com`` → ``german-foreign-policy.com``; None for anything that
    does not look like a host name (it needs a dot and a lower-case top-level domain)."""
    if not _DOMAIN_LIKE.fullmatch(text):
        return None
    try:
        return normalize_domain(text)
    except ValueError:
        return None


def domain_suffixes(host: str) -> list[str]:
    """``a.b.example.com`` → itself, ``b.example.com``, ``example.com``: longest first."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        return [".".join(labels[start:]) for start in range(len(labels) - 1)]
    return [host]  # an address has no parent domains


def host_of(url: str) -> str | None:
    """The host of a URL as sources store domains (lower case, ``www.`` dropped), or None."""
    text = url.strip()
    if "://" not in text:
        text = f"//{text}"  # "example.com/a": a host all the same
    try:
        host = urlsplit(text).hostname
        return normalize_domain(host) if host else None
    except ValueError:
        return None


def _fold(text: str) -> str:
    # Pages copied as text carry non-breaking spaces, in source names too.
    return " ".join(text.split())


def _parenthesised_suffix(title: str) -> tuple[str, str] | None:
    """``Title (Name)`` → ("Title", "Name"): the last balanced group, when the title ends in
    one and has text before it."""
    if not title.endswith(")"):
        return None
    depth = 0
    for index in range(len(title) - 1, -1, -1):
        if title[index] == ")":
            depth += 1
        elif title[index] == "(":
            depth -= 1
            if depth == 0:
                before = title[:index].rstrip(_SEPARATORS)
                inside = title[index + 1 : -1].strip()
                return (before, inside) if before and inside else None
    return None


def _trailing_word(title: str) -> tuple[str, str] | None:
    before, _space, word = title.rpartition(" ")
    before = before.rstrip(_SEPARATORS)
    return (before, word) if before and word else None


def _bare(word: str) -> str:
    return word.strip("\"'“”„«»‚‘’.,:;!?-–")


def _spells_host(text: str, host: str | None) -> bool:
    """ "junge Welt" for jungewelt.de: the name, letters and digits only, is the host's name."""
    if host is None:
        return False
    squashed = "".join(char for char in text.casefold() if char.isalnum())
    return squashed in host.split(".")[:-1]


def not_a_publication(text: str, *, host: str | None = None) -> str | None:
    """Why a parenthesised suffix is part of the title, or None when it names a publication.

    It names a publication when it looks like a domain name ("german-foreign-policy.com"),
    when it spells the post's URL's ``host`` ("junge Welt" for jungewelt.de, in any case),
    or when it starts with a capital letter, has at most PUBLICATION_WORDS_MAX words and
    SOURCE_NAME_MAX characters, two letters or more, is no upper-case roman numeral and
    contains none of the EDITORIAL_WORDS. So "(II)", "(2)", "(2022)", "(1/3)", "(Teil 1)",
    "(Update)", "(mit Video)" and "(sic)" stay in the title; "(TASS)" and "(Global Times
    China)" do not.
    """
    if as_domain(text) or _spells_host(text, host):
        return None
    words = [_bare(word) for word in text.split()]
    letters = sum(char.isalpha() for char in text)
    if letters < 2:
        return "it is a number" if letters == 0 else "it is a single letter"
    if _ROMAN_NUMERAL.fullmatch(text):
        return "it is a roman numeral"
    editorial = [word for word in words if word.casefold() in EDITORIAL_WORDS]
    if editorial:
        return f"{editorial[0]!r} is an editorial word"
    if not text[0].isupper():
        return "it does not start with a capital letter"
    if len(words) > PUBLICATION_WORDS_MAX or len(text) > SOURCE_NAME_MAX:
        return "it is too long for a publication's name"
    return None


def _nothing_known(_name: str) -> bool:
    return False


def split_title(
    title: str, *, is_known: Callable[[str], bool] = _nothing_known, host: str | None = None
) -> TitleSplit:
    """Split a title as published into the title proper and the source its end names.

    ``is_known(name)`` says whether a name (or domain) is a known source's; ``host`` is the
    host of the post's original URL, if it has one. The rules:

    1. A title ending in a parenthesised group, ``Title (Name)``: the group names the source
       when it is known, or when it names a publication (see ``not_a_publication``).
       Otherwise it belongs to the title, and nothing else is looked at.
    2. Otherwise the last word, ``Title german-foreign-policy.com``, names the source when it
       is known or looks like a domain name; ordinary last words are never cut off, and only
       single words are (a known name of several words must be in parentheses).
    3. Otherwise the title names no source. The title proper always keeps some text.

    White space runs (non-breaking spaces too) are folded to single spaces first.
    """
    title = _fold(title)
    suffix = _suffix(title)
    if suffix is None:
        return TitleSplit(title, None, None, known=False, why="The title names no source.")
    before, name, shape = suffix
    shown = f"({name})" if shape is SuffixShape.PARENTHESES else name
    if is_known(name):
        why = f"The title ends in {shown}, a known source."
        return TitleSplit(before, name, shape, known=True, why=why)
    if shape is SuffixShape.PARENTHESES:
        reason, looks_like = not_a_publication(name, host=host), "a publication's name"
    else:
        reason, looks_like = (None if as_domain(name) else "it names no source"), "a domain name"
    if reason is None:
        why = f"The title ends in {shown}, which looks like {looks_like}."
        return TitleSplit(before, name, shape, known=False, why=why)
    why = f"{shown} belongs to the title: {reason}."
    return TitleSplit(title, None, None, known=False, why=why)


def _suffix(title: str) -> tuple[str, str, SuffixShape] | None:
    """What the end of a (folded) title might name, and the title before it: a last
    parenthesised group, else the last word."""
    parenthesised = _parenthesised_suffix(title)
    if parenthesised is not None:
        return (*parenthesised, SuffixShape.PARENTHESES)
    trailing = _trailing_word(title)
    return (*trailing, SuffixShape.TRAILING) if trailing is not None else None


def _title_candidates(title: str) -> list[str]:
    """The name the end of a title might be, which ``split_title`` will ask about."""
    suffix = _suffix(_fold(title))
    return [suffix[1]] if suffix is not None else []


def _name_pattern(name: str) -> str:
    """A LIKE pattern for ``lower(name)`` that both databases read alike: SQLite's lower()
    folds ASCII letters only, so every other character matches any one character, and
    Python then compares the names exactly."""
    pattern = []
    for char in name.lower():
        if char in "\\%_":
            pattern.append(f"\\{char}")
        else:
            pattern.append(char if char.isascii() else "_")
    return "".join(pattern)


@dataclass(frozen=True)
class KnownSources:
    """The sources that the names and hosts in question belong to, looked up beforehand."""

    by_name: dict[str, SourceRef]  # lower-case name → source
    by_domain: dict[str, SourceRef]

    def for_host(self, host: str) -> tuple[str, SourceRef] | None:
        """The source owning the longest of the host's domain suffixes, with that domain."""
        for domain in domain_suffixes(host):
            if domain in self.by_domain:
                return domain, self.by_domain[domain]
        return None

    def find(self, name: str) -> SourceRef | None:
        named = self.by_name.get(name.lower())
        if named is not None:
            return named
        domain = as_domain(name)
        found = self.for_host(domain) if domain is not None else None
        return found[1] if found is not None else None


_SOURCES = Source.metadata.tables["sources"]
_DOMAINS = SourceDomain.metadata.tables["source_domains"]
_BY_DOMAINS = (
    select(_DOMAINS.c.domain, _SOURCES.c.id, _SOURCES.c.slug, _SOURCES.c.name)
    .join(_SOURCES, _SOURCES.c.id == _DOMAINS.c.source_id)
    .where(_DOMAINS.c.domain.in_(bindparam("domains", expanding=True)))
)


@lru_cache(maxsize=8)
def _by_names(count: int) -> Select[tuple[int, str, str]]:
    """The sources whose lower-case names are like any of ``count`` patterns (parameters
    name_0 …): one statement per count, built once. A creation recognising its source asks
    with one name; building and ORM-executing the statement anew cost ten times the
    query."""
    lowered = func.lower(_SOURCES.c.name)
    likes = (lowered.like(bindparam(f"name_{index}"), escape="\\") for index in range(count))
    return select(_SOURCES.c.id, _SOURCES.c.slug, _SOURCES.c.name).where(or_(*likes))


def _known_sources(session: Session, names: list[str], hosts: Iterable[str]) -> KnownSources:
    """One query for the names (if any), one for every domain suffix of the hosts (if any)."""
    connection = session.connection()
    by_name: dict[str, SourceRef] = {}
    names = [name for name in names if len(name) <= SOURCE_NAME_MAX]
    if names:
        patterns = {f"name_{index}": _name_pattern(name) for index, name in enumerate(names)}
        wanted = {name.lower() for name in names}
        for row in connection.execute(_by_names(len(names)), patterns):
            if row.name.lower() in wanted:
                by_name[row.name.lower()] = SourceRef(id=row.id, slug=row.slug, name=row.name)
    by_domain: dict[str, SourceRef] = {}
    domains = sorted({domain for host in hosts for domain in domain_suffixes(host)})
    if domains:
        for owner in connection.execute(_BY_DOMAINS, {"domains": domains}):
            by_domain[owner.domain] = SourceRef(id=owner.id, slug=owner.slug, name=owner.name)
    return KnownSources(by_name, by_domain)


def known_sources_of_all(session: Session) -> KnownSources:
    """Every source's name and domains, for an import that matches thousands of posts in
    memory (and adds the sources and domains it creates as it goes)."""
    sources = {
        row.id: SourceRef(id=row.id, slug=row.slug, name=row.name)
        for row in session.execute(select(col(Source.id), col(Source.slug), col(Source.name)))
    }
    by_domain = {
        row.domain: sources[row.source_id]
        for row in session.execute(select(col(SourceDomain.domain), col(SourceDomain.source_id)))
    }
    return KnownSources({ref.name.lower(): ref for ref in sources.values()}, by_domain)


def match_source(session: Session, *, title: str | None, url: str | None) -> SourceMatch:
    """The source a post comes from: a known source its title's end names (by name, in any
    case, or by domain), else the source owning its URL's host (the longest matching
    domain), else none, with the publication the title names as ``suggested_name``.

    Two queries at most: known names, and the domains of every candidate host.
    """
    names = _title_candidates(title) if title else []
    title_hosts = [domain for name in names if (domain := as_domain(name))]
    host = host_of(url) if url else None
    known = _known_sources(session, names, [*title_hosts, *([host] if host else [])])
    return decide_source(known, title=title, url=url)


def decide_source(known: KnownSources, *, title: str | None, url: str | None) -> SourceMatch:
    """``match_source`` on sources looked up beforehand."""
    host = host_of(url) if url else None
    split: TitleSplit | None = None
    if title:
        split = split_title(title, is_known=lambda name: known.find(name) is not None, host=host)
    by_url = known.for_host(host) if host else None
    clean_title = split.title if split is not None else None

    if split is not None and split.known and split.source_name is not None:
        source = known.find(split.source_name)
        detail = split.why
        if by_url is not None:
            other = by_url[1]
            agrees = other.id == source.id if source is not None else False
            detail += (
                f" The URL's host {host} belongs to it too."
                if agrees
                else f" The URL's host {host} belongs to another source, {other.name}."
            )
        reason = (
            MatchReason.title_suffix
            if split.shape is SuffixShape.PARENTHESES
            else MatchReason.title_trailing_name
        )
        return SourceMatch(source, clean_title, reason, detail)
    if by_url is not None:
        domain, source = by_url
        where = domain if host == domain else f"{host}, under {domain},"
        detail = f"The URL's host {where} is a domain of {source.name}."
        return SourceMatch(source, clean_title, MatchReason.url_domain, detail)
    url_note = ""
    if url:
        url_note = f" No source has {host} as a domain." if host else " The URL has no host name."
    if split is not None and split.source_name is not None:
        detail = f"{split.why} No source has that name yet.{url_note}"
        return SourceMatch(
            None, clean_title, MatchReason.new_source_from_title, detail, split.source_name
        )
    why = split.why if split is not None else "No title was given."
    return SourceMatch(None, clean_title, MatchReason.none, f"{why}{url_note}")


def learn_domain(session: Session, *, source_id: int, url: str) -> bool:
    """Record the host of a post's original URL as a domain of its source; True if it did.

    Nothing is recorded when the URL has no host, when a source already owns the host or a
    parent domain of it (this source: nothing new; another: not this source's to take), or
    when the source has DOMAINS_PER_SOURCE_MAX domains already: learning is a by-product of
    writing a post and never makes that write fail. Raises NotFound for an unknown source.
    """
    host = host_of(url)
    if host is None:
        return False
    # Locked, so that writers learning for one source at once stay within the limit.
    locked = session.scalars(
        select(col(Source.id)).where(col(Source.id) == source_id).with_for_update()
    ).one_or_none()
    if locked is None:
        raise NotFound(f"There is no source {source_id}.")
    suffixes = domain_suffixes(host)
    rows = session.execute(
        select(col(SourceDomain.domain), col(SourceDomain.source_id)).where(
            or_(
                col(SourceDomain.domain).in_(suffixes),
                col(SourceDomain.source_id) == source_id,
            )
        )
    ).all()
    if any(row.domain in suffixes for row in rows):
        return False
    if sum(row.source_id == source_id for row in rows) >= DOMAINS_PER_SOURCE_MAX:
        return False
    # A writer that learnt the same host a moment ago wins; this one records nothing.
    if not insert_ignoring_duplicates(session, SourceDomain, domain=host, source_id=source_id):
        return False
    named = session.execute(
        update(Source)
        .where(col(Source.id) == source_id)
        .values(updated_at=utcnow())
        .returning(col(Source.name), col(Source.slug))
    ).one()
    record(
        session,
        Action.source_updated,
        Ref("source", source_id),
        {"name": named.name, "slug": named.slug, "fields": ["domains"], "learnt": host},
    )
    return True
