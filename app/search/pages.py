"""A search's page of matches: by number, or after a cursor's last hit (app.search.cursor).

By relevance, a page is first its part of the ranked window, best first (equal scores
newest first), then its part of the matches past the window, newest first; with
sort=-published_at, newest first throughout. Each page names where the page after it starts.
"""

from typing import NamedTuple

from sqlalchemy import Connection

from app.core.pagination import PageParams
from app.search import ranking
from app.search.cursor import Phase, SearchCursor
from app.search.matching import Newest
from app.search.terms import Query


class Paged(NamedTuple):
    """A page's matches, scored, in the page's order; and where the page after it starts
    (None on the last page)."""

    hits: list[ranking.Scored]
    last: SearchCursor | None


def numbered(
    connection: Connection,
    newest: Newest,
    query: Query,
    *,
    ranked: int,
    total: int,
    paging: PageParams,
    window: int | None,
) -> Paged:
    """The page ``paging`` numbers of ``total`` matches (as counted): its part among the
    ``ranked`` newest, best first; then its part of the matches after them, newest first.
    ``window`` is the newest match's key, which the next page's cursor pins the ranked
    window to."""
    dialect = connection.dialect.name
    start, end = paging.offset, min(paging.offset + paging.per_page, total)
    page: list[ranking.Scored] = []
    if start < ranked:
        scoring = ranking.scored(newest.newest(ranked), query, dialect)
        page += ranking.best(
            connection, scoring, ranked, offset=start, limit=min(end, ranked) - start
        )
    among_ranked = len(page)
    after = max(start, ranked)
    if end > after:
        scoring = ranking.scored(newest.newest(end), query, dialect)
        page += ranking.newest(connection, scoring, offset=after, limit=end - after)
    # As the Link header's next page: one follows when the total goes beyond this one.
    if not page or paging.offset + paging.per_page >= total or window is None:
        return Paged(page, None)
    last = page[-1]
    if ranked == 0:  # newest first, as asked
        return Paged(page, SearchCursor(Phase.newest, last.key, 0, 0))
    phase = Phase.ranked if len(page) == among_ranked else Phase.rest
    score = last.score if phase is Phase.ranked else 0
    return Paged(page, SearchCursor(phase, last.key, score, window))


def following(
    connection: Connection,
    newest: Newest,
    query: Query,
    after: SearchCursor,
    per_page: int,
    ranked_at_most: int,
    floor: int | None,
) -> Paged:
    """The ``per_page`` matches after a cursor's last hit, in the same order as the numbered
    pages (by relevance the newest ``ranked_at_most`` of the window ranked), none at or below
    ``floor`` (the first match not counted, if any); one beyond them is read, to tell
    whether another page follows."""
    dialect = connection.dialect.name
    wanted = per_page + 1
    page: list[ranking.Scored] = []
    if after.phase is Phase.ranked:
        # The window as it was when the walk began: the newest matches up to its newest.
        window = newest.older(after.window, inclusive=True)
        scoring = ranking.scored(window.newest(ranked_at_most), query, dialect)
        last = ranking.Scored(after.key, after.score)
        page += ranking.best(
            connection, scoring, ranked_at_most, offset=0, limit=wanted, after=last
        )
        among_ranked = len(page)
        if among_ranked < wanted:
            # Then the matches past the window, newest first.
            scoring = ranking.scored(window.newest(ranked_at_most + wanted), query, dialect)
            page += ranking.newest(
                connection, scoring, offset=ranked_at_most, limit=wanted - among_ranked
            )
    else:
        among_ranked = 0
        older = newest.older(after.key)
        scoring = ranking.scored(older.newest(wanted), query, dialect)
        page += ranking.newest(connection, scoring, offset=0, limit=wanted)
    if floor is not None:
        # Newest first after the ranked: the first at the floor ends the walk.
        page = page[:among_ranked] + [hit for hit in page[among_ranked:] if hit.key > floor]
    if len(page) < wanted:
        return Paged(page, None)
    page = page[:per_page]
    last_hit = page[-1]
    if after.phase is Phase.newest:
        return Paged(page, SearchCursor(Phase.newest, last_hit.key, 0, 0))
    phase = Phase.ranked if len(page) <= among_ranked else Phase.rest
    score = last_hit.score if phase is Phase.ranked else 0
    return Paged(page, SearchCursor(phase, last_hit.key, score, after.window))
