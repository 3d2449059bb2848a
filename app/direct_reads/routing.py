"""Which requests the direct reads answer: only those whose every part is plainly valid.

Anything unusual (an unknown or repeated parameter, a value the framework might read
differently, a trailing slash) is left to the framework, which validates it and answers with
the same response or with its problem details; nothing here ever makes an error.
"""

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from app.archives import router as archives
from app.core.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, PageParams
from app.core.text import SLUG_MAX_LENGTH, SLUG_PATTERN, parse_id
from app.posts import router as posts
from app.posts.fields import Fields, UnknownFields, parse_fields
from app.posts.models import PostStatus
from app.posts.schemas import PostSort
from app.sources import router as sources

_SLUG = re.compile(SLUG_PATTERN)
_NUMBER = re.compile(r"[1-9][0-9]{0,6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SORTS = {sort.value: sort for sort in PostSort}
_LIST_PARAMETERS = frozenset(
    ("page", "per_page", "source", "tag", "date", "sort", "status", "fields")
)
_DAY_PARAMETERS = frozenset(("page", "per_page", "source", "fields"))
_POST_PARAMETERS = frozenset(("fields",))
_PAGE_PARAMETERS = frozenset(("page", "per_page"))
_NO_PARAMETERS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PostRead:
    """GET /posts/{id_or_slug}: ``post_id`` for an id, else ``slug``."""

    post_id: int | None
    slug: str | None
    fields: Fields | None = None


@dataclass(frozen=True, slots=True)
class ListRead:
    """GET /posts with at most one source."""

    paging: PageParams
    sort: PostSort
    source: str | None
    tag: str | None
    day: dt.date | None
    fields: Fields | None = None


@dataclass(frozen=True, slots=True)
class DayRead:
    """GET /archives/{year}/{month}/{day}."""

    day: dt.date
    paging: PageParams
    source: str | None
    fields: Fields | None = None


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


def _post(path: Mapping[str, str], query: bytes) -> PostRead:
    params = _parameters(query, _POST_PARAMETERS)
    post_id, slug = _reference(path["id_or_slug"])
    return PostRead(post_id=post_id, slug=slug, fields=_fields(params))


def _list(path: Mapping[str, str], query: bytes) -> ListRead:
    params = _parameters(query, _LIST_PARAMETERS)
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
        fields=_fields(params),
    )


def _day(path: Mapping[str, str], query: bytes) -> DayRead:
    # Only a date's own spelling (digits: four, two and two); any other is the framework's.
    day = _date(f"{path['year']}-{path['month']}-{path['day']}")
    params = _parameters(query, _DAY_PARAMETERS)
    return DayRead(
        day=day,
        paging=_paging(params),
        source=_optional_slug(params.get("source")),
        fields=_fields(params),
    )


def _source(path: Mapping[str, str], query: bytes) -> SourceRead:
    _parameters(query, _NO_PARAMETERS)
    source_id, slug = _reference(path["id_or_slug"])
    return SourceRead(source_id=source_id, slug=slug)


def _sources(path: Mapping[str, str], query: bytes) -> SourcesRead:
    return SourcesRead(paging=_paging(_parameters(query, _PAGE_PARAMETERS)))


PathReader = Callable[[Mapping[str, str], bytes], Read]


class DirectRoute(NamedTuple):
    """An operation the direct reads answer: its endpoint (the router's function itself, so
    that renaming it cannot leave a stale name behind here), the parameters its path has, and
    how those and the query become a read (raising ``_Unusual`` for the framework's)."""

    endpoint: Callable[..., Any]
    path_parameters: frozenset[str]
    read: PathReader


DIRECT_ROUTES = (
    DirectRoute(posts.list_posts, frozenset(), _list),
    DirectRoute(posts.get_post, frozenset({"id_or_slug"}), _post),
    DirectRoute(archives.day_archive, frozenset({"year", "month", "day"}), _day),
    DirectRoute(sources.list_sources, frozenset(), _sources),
    DirectRoute(sources.get_source, frozenset({"id_or_slug"}), _source),
)


class _Matcher(NamedTuple):
    path: re.Pattern[str]
    route: APIRoute
    read: PathReader


class Routing:
    """Which direct read a request asks for, matched by the app's own routes: a direct read's
    path is the one its route has in the app, wherever its router is mounted, so a route
    given another path takes the fast path along; a route the app lacks, or whose path
    parameters changed, stops the app from starting instead of the fast path going quiet."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        # Included routers keep their own routes; a context gives each one's path in the app.
        contexts = list(iter_route_contexts(routes))
        self._matchers = [_matcher(direct, contexts) for direct in DIRECT_ROUTES]

    def parse(self, path: str, query: bytes) -> tuple[APIRoute, Read] | None:
        """The route and the read that ``path`` (the whole of it, as routes match it) and
        ``query`` ask for, if they are plain."""
        for matcher in self._matchers:
            matched = matcher.path.match(path)
            if matched is not None:
                try:
                    return matcher.route, matcher.read(matched.groupdict(), query)
                except _Unusual:
                    return None
        return None


def _matcher(direct: DirectRoute, contexts: list[RouteContext]) -> _Matcher:
    name = direct.endpoint.__name__
    found = [
        context
        for context in contexts
        if context.endpoint is direct.endpoint
        and "GET" in (context.methods or ())
        and isinstance(context.original_route, APIRoute)
    ]
    if len(found) != 1:
        raise LookupError(
            f"direct reads answer {name!r}: the app has {len(found)} GET routes to it"
        )
    context = found[0]
    parameters = set(context.param_convertors)
    if parameters != direct.path_parameters:
        raise LookupError(
            f"direct reads answer {name!r} with the path parameters "
            f"{sorted(direct.path_parameters)}, but its route {context.path!r} has "
            f"{sorted(parameters)}"
        )
    route = context.original_route
    assert isinstance(route, APIRoute)
    # Starlette's own pattern for the path in the app: anchored, each parameter one segment
    # ([^/]+), so a match is linear in the path's length. The route is the one the framework
    # puts on the scope when it takes this path.
    return _Matcher(context.path_regex, route, direct.read)


def _reference(ref: str) -> tuple[int | None, str | None]:
    """An id, or else a slug, from a path's ``{id_or_slug}``."""
    slug = _slug(ref)
    found = parse_id(slug)
    if found == 0:  # digits that can name nothing
        raise _Unusual
    return (found, None) if found else (None, slug)


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


def _fields(params: dict[str, str]) -> Fields | None:
    """``fields`` if every name in it is a post's (an invalid one is the framework's 422)."""
    if "fields" not in params:
        return None
    try:
        return parse_fields([params["fields"]])
    except UnknownFields as exc:
        raise _Unusual from exc


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
