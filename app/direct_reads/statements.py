"""The statements of the direct reads, built from the same pieces as the framework path
(visibility rule, row columns, sort orders, neighbour days) and compiled once per shape."""

from collections.abc import Callable, Hashable

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Dialect,
    Integer,
    String,
    bindparam,
    select,
)
from sqlmodel import col

from app.archives.service import neighbour_statement
from app.core.prepared import AnySelect, Prepared
from app.posts import queries, tag_refs
from app.posts.cursor import sort_column
from app.posts.models import Post
from app.posts.schemas import PostSort
from app.posts.visibility import public_total, published
from app.sources import queries as sources
from app.sources.models import Source

REF_ID = bindparam("id", type_=Integer())
REF_SLUG = bindparam("slug", type_=String())
SOURCE_ID = bindparam("source_id", type_=Integer())
TAG = bindparam("tag", type_=String())
DAY = bindparam("day", type_=Date())
LIMIT = bindparam("limit", type_=Integer())
OFFSET = bindparam("offset", type_=Integer())
ZONE = bindparam("zone", type_=String())
FORMAT = bindparam("format", type_=String())
# Where a page's row has its post's sort key, after the stored document's columns: what the
# next page's cursor starts from.
SORT_KEY = len(queries.StoredDocument._fields)


def _in_list(count: int) -> list[BindParameter[int]]:
    """``count`` bound ids for an IN list: a statement compiled once per length, since a
    compiled statement cannot expand a list (see Prepared)."""
    return [bindparam(f"in_{number}", type_=Integer()) for number in range(count)]


def in_list_parameters(ids: list[int]) -> dict[str, int]:
    """The values of a statement made with ``_in_list(len(ids))``."""
    return {f"in_{number}": value for number, value in enumerate(ids)}


def _public(*, source: bool, tag: bool = False, day: bool = False) -> list[ColumnElement[bool]]:
    """What anonymous lists and archives show, narrowed as the framework path narrows them."""
    where = [published()]
    if source:
        where.append(col(Post.source_id) == SOURCE_ID)
    if tag:
        where.append(queries.has_tag(TAG))
    if day:
        where.append(col(Post.published_date) == DAY)
    return where


class Statements:
    """Compiled statements for one database, each shape made on first use."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._compiled: dict[Hashable, Prepared] = {}

    def _get(self, key: Hashable, build: Callable[[], AnySelect]) -> Prepared:
        found = self._compiled.get(key)
        if found is None:
            # Two threads may both compile a shape the first time: the same result, no harm.
            found = self._compiled[key] = Prepared(build(), self._dialect)
        return found

    def post(self, *, by_slug: bool) -> Prepared:
        """One public post by id (``id``) or slug (``slug``): its id and stored document
        in ``zone`` and ``format``, if it has one."""

        def build() -> AnySelect:
            lookup = col(Post.slug) == REF_SLUG if by_slug else col(Post.id) == REF_ID
            return queries.documents_statement(
                [lookup, published()], [], zone=ZONE, document_format=FORMAT, limit=1
            )

        return self._get(("post", by_slug), build)

    def rows(self, count: int) -> Prepared:
        """The rows of ``count`` posts (see ``in_list_parameters``), for those without a
        stored document."""

        def build() -> AnySelect:
            where = [col(Post.id).in_(_in_list(count))]
            return queries.rows_statement(where, [], long_text_as_json=True)

        return self._get(("rows", count), build)

    def tags(self, count: int) -> Prepared:
        """The tags of ``count`` posts (see ``in_list_parameters``)."""
        return self._get(("tags", count), lambda: tag_refs.tags_statement(_in_list(count)))

    def source_id(self) -> Prepared:
        return self._get(
            "source_id", lambda: select(col(Source.id)).where(col(Source.slug) == REF_SLUG)
        )

    def page(self, sort: PostSort, *, source: bool, tag: bool, day: bool) -> Prepared:
        """A page of public posts (``limit``, ``offset``) in ``sort`` order: their ids,
        stored documents in ``zone`` and ``format``, and sort keys (see ``SORT_KEY``)."""

        def build() -> AnySelect:
            where = _public(source=source, tag=tag, day=day)
            order = queries.sort_order(sort, may_include_drafts=False)
            return queries.documents_statement(
                where, order, zone=ZONE, document_format=FORMAT, limit=LIMIT, offset=OFFSET
            ).add_columns(sort_column(sort))

        return self._get(("page", sort, source, tag, day), build)

    def count(self, *, source: bool, tag: bool, day: bool) -> Prepared:
        def build() -> AnySelect:
            if not (tag or day):
                return public_total([SOURCE_ID] if source else None)
            return queries.count_statement(_public(source=source, tag=tag, day=day))

        return self._get(("count", source, tag, day), build)

    def neighbour(self, *, source: bool, later: bool) -> Prepared:
        """The nearest earlier (or later) day than ``day`` with public posts, and its count."""
        return self._get(
            ("neighbour", source, later),
            lambda: neighbour_statement(_public(source=source), DAY, later=later),
        )

    def source(self, *, by_slug: bool) -> Prepared:
        """One source by id (``id``) or slug (``slug``)."""

        def build() -> AnySelect:
            lookup = col(Source.slug) == REF_SLUG if by_slug else col(Source.id) == REF_ID
            return sources.rows_statement([lookup])

        return self._get(("source", by_slug), build)

    def sources(self) -> Prepared:
        """A page of sources (``limit``, ``offset``), by name."""
        return self._get("sources", lambda: sources.rows_statement(limit=LIMIT, offset=OFFSET))

    def source_count(self) -> Prepared:
        return self._get("source_count", sources.count_statement)

    def domains(self, count: int) -> Prepared:
        """The domains of ``count`` sources (see ``in_list_parameters``)."""
        return self._get(("domains", count), lambda: sources.domains_statement(_in_list(count)))

    def post_counts(self) -> Prepared:
        return self._get("post_counts", sources.post_counts_statement)
