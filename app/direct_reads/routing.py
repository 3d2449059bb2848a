"""Which requests the direct reads answer: only those whose every part is plainly valid.

Anything unusual (an unknown or repeated parameter, a value the framework might read
differently, a trailing slash) is left to the framework, which validates it and answers with
the same response or with its problem details; nothing here ever makes an error.
"""

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from app.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, PageParams
from app.core.text import SLUG_MAX_LENGTH, SLUG_PATTERN, parse_id
from app.posts.models import PostStatus
from app.posts.schemas import PostSort

_SLUG = re.compile(SLUG_PATTERN)
_NUMBER = re.compile(r"[1-9][0-9]{0,6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_POST = re.compile(r"/posts/([^/]+)")
_DAY = re.compile(r"/archives/([0-9]{4})/([0-9]{2})/([0-9]{2})")
_SOURCE = re.compile(r"/sources/([^/]+)")
_SORTS = {sort.value: sort for sort in PostSort}
_LIST_PARAMETERS = frozenset(("page", "per_page", "source", "tag", "date", "sort", "status"))
_DAY_PARAMETERS = frozenset(("page", "per_page", "source"))
_PAGE_PARAMETERS = frozenset(("page", "per_page"))
_NO_PARAMETERS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PostRead:
    """GET /posts/{id_or_slug}: ``post_id`` for an id, else ``slug``."""

    post_id: int | None
    slug: str | None


@dataclass(frozen=True, slots=True)
class ListRead:
    """GET /posts with at most one source."""

    paging: PageParams
    sort: PostSort
    source: str | None
    tag: str | None
    day: dt.date | None


@dataclass(frozen=True, slots=True)
class DayRead:
    """GET /archives/{year}/{month}/{day}."""

    day: dt.date
    paging: PageParams
    source: str | None


@dataclass(frozen=True, slots=True)
class SourceRead:
    """GET /sources/{id_or_slug}: ``source_id`` for an id, else ``slug``."""

    source_id: int | None
    slug: str | None


@dataclass(frozen=True, slots=True)
class SourcesRead:
    """GET /sources."""

    paging: PageParams


Read = PostRead | ListRead | DayRead | SourceRead | SourcesRead


class _Unusual(Exception):
    """A part of the request that the framework should judge."""


def parse(path: str, query: bytes) -> Read | None:
    """The read that ``path`` (below the API prefix) and ``query`` ask for, if it is plain."""
    try:
        if path == "/posts":
            return _list(_parameters(query, _LIST_PARAMETERS))
        if matched := _POST.fullmatch(path):
            _parameters(query, _NO_PARAMETERS)
            return _post(matched.group(1))
        if matched := _DAY.fullmatch(path):
            year, month, day = matched.groups()
            return _day(_date(f"{year}-{month}-{day}"), _parameters(query, _DAY_PARAMETERS))
        if path == "/sources":
            return SourcesRead(paging=_paging(_parameters(query, _PAGE_PARAMETERS)))
        if matched := _SOURCE.fullmatch(path):
            _parameters(query, _NO_PARAMETERS)
            source_id, slug = _reference(matched.group(1))
            return SourceRead(source_id=source_id, slug=slug)
    except _Unusual:
        pass
    return None


def _post(ref: str) -> PostRead:
    post_id, slug = _reference(ref)
    return PostRead(post_id=post_id, slug=slug)


def _reference(ref: str) -> tuple[int | None, str | None]:
    """An id, or else a slug, from a path's ``{id_or_slug}``."""
    slug = _slug(ref)
    found = parse_id(slug)
    if found == 0:  # digits that can name nothing
        raise _Unusual
    return (found, None) if found else (None, slug)


def _list(params: dict[str, str]) -> ListRead:
    if params.get("status", PostStatus.published.value) != PostStatus.published.value:
        raise _Unusual
    sort = _SORTS.get(params.get("sort", PostSort.newest.value))
    if sort is None:
        raise _Unusual
    return ListRead(
        paging=_paging(params),
        sort=sort,
        source=_optional_slug(params.get("source")),
        tag=_optional_slug(params.get("tag")),
        day=_date(params["date"]) if "date" in params else None,
    )


def _day(day: dt.date, params: dict[str, str]) -> DayRead:
    return DayRead(day=day, paging=_paging(params), source=_optional_slug(params.get("source")))


def _parameters(query: bytes, allowed: frozenset[str]) -> dict[str, str]:
    """The query's parameters, if each is allowed and given once."""
    if not query:
        return {}
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise _Unusual from exc
    params = dict(pairs)
    if len(params) != len(pairs) or not params.keys() <= allowed:
        raise _Unusual
    return params


def _paging(params: dict[str, str]) -> PageParams:
    # Each value has been checked as the model would check it.
    return PageParams.model_construct(
        page=_number(params.get("page"), 1, MAX_PAGE),
        per_page=_number(params.get("per_page"), DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def _number(value: str | None, default: int, highest: int) -> int:
    if value is None:
        return default
    if not _NUMBER.fullmatch(value) or int(value) > highest:
        raise _Unusual
    return int(value)


def _slug(value: str) -> str:
    if len(value) > SLUG_MAX_LENGTH or not _SLUG.fullmatch(value):
        raise _Unusual
    return value


def _optional_slug(value: str | None) -> str | None:
    return None if value is None else _slug(value)


def _date(value: str) -> dt.date:
    if not _DATE.fullmatch(value):
        raise _Unusual
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _Unusual from exc
