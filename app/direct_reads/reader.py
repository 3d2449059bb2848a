"""Direct reads: the same JSON and page headers as the framework path, made from driver rows.

Counts are kept per content version in the same memo, under the same keys, as the framework
path keeps them. A read returns None where the framework path should answer instead: a post
or source that is not there (its 404 or empty list is made there, with its wording).
"""

from collections.abc import Hashable
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from starlette.datastructures import URL

from app.archives.service import NeighbourDay, day_count_key, day_label
from app.core.clients import ClientKeys
from app.core.driver import DriverConnection
from app.core.encoding import encode_json
from app.core.pagination import PageParams, page_headers
from app.core.prepared import Prepared
from app.derived.content_version import Freshness
from app.derived.memo import memo_for_engine
from app.direct_reads.routing import (
    DayRead,
    ListRead,
    PostRead,
    Read,
    SourceRead,
    SourcesRead,
)
from app.direct_reads.statements import SORT_KEY, Statements, in_list_parameters
from app.posts import cursor as post_cursor
from app.posts import documents
from app.posts.cursor import PostCursor, cursor_key
from app.posts.fields import Fields
from app.posts.queries import STORED_DOCUMENT, STORED_POST_ID, post_document, post_rows
from app.posts.schemas import PostSort
from app.posts.service import public_list_key
from app.posts.tag_refs import grouped_tags
from app.sources import queries as sources

# Pages that start further in than this walk too far to run on the event loop.
INLINE_OFFSET_MAX = 2_000


def is_short(read: Read) -> bool:
    """Whether ``read`` is an index lookup or a short walk along an index, cheap enough for
    the event loop.

    Deep pages walk too far. A list by title has an index in its order only unnarrowed
    (ix_posts_status_title_sort): narrowed by source, tag or day, the posts it selects are
    sorted, and a tag or source may have most of them. A tag narrows through its links, which
    no index of the posts orders: either the tag's posts are all read and sorted, or the date
    index is walked until a page of them turns up, which for a rare tag is most of it."""
    if isinstance(read, PostRead | SourceRead):
        return True
    if read.paging.offset > INLINE_OFFSET_MAX:
        return False
    if isinstance(read, ListRead):
        if read.tag is not None:
            return False
        if read.sort is PostSort.by_title:
            return read.source is None and read.day is None
    return True


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    headers: dict[str, str]


class DirectReader:
    def __init__(
        self, driver: DriverConnection, *, zone: ZoneInfo, language: str, keys: ClientKeys
    ) -> None:
        self._connection = driver
        self._keys = keys
        self._statements = Statements(driver.engine.dialect)
        self._memo = memo_for_engine(driver.engine)
        self._zone = zone
        self._language = language

    async def answer(self, read: Read, url: URL, freshness: Freshness | None) -> Answer | None:
        """The response to ``read``; ``freshness`` is what the response cache read before it."""
        # A list's pages carry the next one's cursor, sealed with this key.
        paged = isinstance(read, ListRead | DayRead)
        list_key = cursor_key(await self._keys.key()) if paged else b""
        work = partial(self._answer, read=read, url=url, freshness=freshness, list_key=list_key)
        return await self._connection.run(work, short=is_short(read))

    def _answer(
        self, cursor: Any, *, read: Read, url: URL, freshness: Freshness | None, list_key: bytes
    ) -> Answer | None:
        if isinstance(read, PostRead):
            return self._post(cursor, read)
        if isinstance(read, ListRead):
            return self._list(cursor, read, url, freshness, list_key)
        if isinstance(read, DayRead):
            return self._day(cursor, read, url, freshness, list_key)
        if isinstance(read, SourceRead):
            return self._source(cursor, read, freshness)
        return self._sources(cursor, read, url, freshness)

    def _post(self, cursor: Any, read: PostRead) -> Answer | None:
        lookup: dict[str, str | int | None] = (
            {"slug": read.slug} if read.slug is not None else {"id": read.post_id}
        )
        statement = self._statements.post(by_slug=read.slug is not None)
        rows = statement.rows(cursor, **self._current(), **lookup)
        posts = self._documents(cursor, rows, read.fields)
        if not posts:
            return None
        return Answer(encode_json(posts[0]), {})

    def _list(
        self, cursor: Any, read: ListRead, url: URL, freshness: Freshness | None, list_key: bytes
    ) -> Answer | None:
        filters: dict[str, Any] = {}
        if read.source is not None:
            source_id = self._source_id(cursor, read.source)
            if source_id is None:
                return None
            filters["source_id"] = source_id
        if read.tag is not None:
            filters["tag"] = read.tag
        if read.day is not None:
            filters["day"] = read.day
        shape = {
            "source": read.source is not None,
            "tag": read.tag is not None,
            "day": read.day is not None,
        }
        key = public_list_key(
            sources=() if read.source is None else (read.source,), tag=read.tag, day=read.day
        )
        total = self._count(cursor, freshness, key, self._statements.count(**shape), filters)
        page = self._statements.page(read.sort, **shape)
        rows = self._page_rows(cursor, page, read.paging, total, filters)
        body = {
            "items": self._documents(cursor, rows, read.fields),
            "total": total,
            "page": read.paging.page,
            "per_page": read.paging.per_page,
            "next_cursor": _next_cursor(rows, read.sort, read.paging, total, list_key),
            "total_exact": True,  # a direct read is never narrowed by q
        }
        return Answer(encode_json(body), self._headers(url, total, read.paging))

    def _day(
        self, cursor: Any, read: DayRead, url: URL, freshness: Freshness | None, list_key: bytes
    ) -> Answer | None:
        scope: dict[str, Any] = {"day": read.day}
        if read.source is not None:
            source_id = self._source_id(cursor, read.source)
            if source_id is None:
                return None
            scope["source_id"] = source_id
        source = read.source is not None
        count = self._statements.count(source=source, tag=False, day=True)
        key = day_count_key(read.source, read.day)
        total = self._count(cursor, freshness, key, count, scope)
        page = self._statements.page(PostSort.newest, source=source, tag=False, day=True)
        rows = self._page_rows(cursor, page, read.paging, total, scope)
        body = {
            "date": read.day,
            "label": day_label(read.day, self._language),
            "count": total,
            "items": self._documents(cursor, rows, read.fields),
            "page": read.paging.page,
            "per_page": read.paging.per_page,
            "next_cursor": _next_cursor(rows, PostSort.newest, read.paging, total, list_key),
            **self._memo.kept(
                freshness,
                ("day_neighbours", read.source, read.day),
                lambda: {
                    "previous": self._neighbour(cursor, scope, source=source, later=False),
                    "next": self._neighbour(cursor, scope, source=source, later=True),
                },
            ),
        }
        return Answer(encode_json(body), self._headers(url, total, read.paging))

    def _source(self, cursor: Any, read: SourceRead, freshness: Freshness | None) -> Answer | None:
        if read.slug is not None:
            rows = self._statements.source(by_slug=True).rows(cursor, slug=read.slug)
        else:
            rows = self._statements.source(by_slug=False).rows(cursor, id=read.source_id)
        if not rows:
            return None
        (source,) = self._source_documents(cursor, sources.source_rows(rows), freshness)
        return Answer(encode_json(source), {})

    def _sources(
        self, cursor: Any, read: SourcesRead, url: URL, freshness: Freshness | None
    ) -> Answer:
        total = int(self._statements.source_count().rows(cursor)[0][0])
        paging = read.paging
        rows = self._statements.sources().rows(cursor, limit=paging.per_page, offset=paging.offset)
        body = {
            "items": self._source_documents(cursor, sources.source_rows(rows), freshness),
            "total": total,
            "page": paging.page,
            "per_page": paging.per_page,
        }
        return Answer(encode_json(body), self._headers(url, total, paging))

    def _source_documents(
        self,
        cursor: Any,
        rows: list[sources.SourceRow],
        freshness: Freshness | None,
    ) -> list[dict[str, Any]]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        domains = sources.domains_by_source(
            self._statements.domains(len(ids)).rows(cursor, **in_list_parameters(ids))
        )
        counts = self._memo.kept(
            freshness,
            sources.POST_COUNTS_KEY,
            lambda: sources.post_counts(self._statements.post_counts().rows(cursor)),
        )
        return [sources.source_document(row, domains, counts) for row in rows]

    def _source_id(self, cursor: Any, slug: str) -> int | None:
        rows = self._statements.source_id().rows(cursor, slug=slug)
        return int(rows[0][0]) if rows else None

    def _count(
        self,
        cursor: Any,
        freshness: Freshness | None,
        key: Hashable,
        count: Prepared,
        values: dict[str, Any],
    ) -> int:
        return self._memo.kept(freshness, key, lambda: int(count.rows(cursor, **values)[0][0]))

    def _page_rows(
        self, cursor: Any, page: Prepared, paging: PageParams, total: int, values: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        if paging.offset >= total:
            return []
        return page.rows(
            cursor, limit=paging.per_page, offset=paging.offset, **self._current(), **values
        )

    def _current(self) -> dict[str, str]:
        """Which stored documents a read may serve: those of the site's zone and of the format
        this release makes (read at each use, as every store reads it)."""
        return {"zone": self._zone.key, "format": documents.FORMAT}

    def _documents(
        self, cursor: Any, rows: list[tuple[Any, ...]], fields: Fields | None
    ) -> list[Any]:
        """The posts of ``rows`` (id, stored document or None) in their order: stored
        documents as they are, the others made from their rows; with ``fields``, each
        narrowed to them."""
        missing = [row[STORED_POST_ID] for row in rows if row[STORED_DOCUMENT] is None]
        made = self._made(cursor, missing) if missing else {}
        if fields is not None:
            made = {post_id: fields.narrow(post) for post_id, post in made.items()}
        posts: list[Any] = []
        for row in rows:
            if (document := row[STORED_DOCUMENT]) is not None:
                posts.append(
                    orjson.Fragment(document)
                    if fields is None
                    else fields.narrow(orjson.loads(document))
                )
            # A post without one is made from its row, unless it was deleted meanwhile (each
            # statement reads its own snapshot).
            elif row[STORED_POST_ID] in made:
                posts.append(made[row[STORED_POST_ID]])
        return posts

    def _made(self, cursor: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
        parameters = in_list_parameters(ids)
        rows = post_rows(self._statements.rows(len(ids)).rows(cursor, **parameters))
        tags = grouped_tags(self._statements.tags(len(ids)).rows(cursor, **parameters))
        return {row.id: post_document(row, tags.get(row.id, []), self._zone) for row in rows}

    def _neighbour(
        self, cursor: Any, scope: dict[str, Any], *, source: bool, later: bool
    ) -> dict[str, Any] | None:
        rows = self._statements.neighbour(source=source, later=later).rows(cursor, **scope)
        if not rows:
            return None
        neighbour = NeighbourDay._make(rows[0])
        return {"date": neighbour.day, "count": neighbour.posts}

    @staticmethod
    def _headers(url: URL, total: int, paging: PageParams) -> dict[str, str]:
        return page_headers(url, total=total, page=paging.page, per_page=paging.per_page)


def _next_cursor(
    rows: list[tuple[Any, ...]], sort: PostSort, paging: PageParams, total: int, key: bytes
) -> str | None:
    """The cursor of the page after ``rows`` (a page's rows, see Statements.page), as the
    framework path makes it (app.posts.listing): when the total goes beyond the page."""
    if not rows or paging.offset + paging.per_page >= total:
        return None
    last = rows[-1]
    return post_cursor.encode(PostCursor(sort, last[SORT_KEY], last[STORED_POST_ID]), key)
