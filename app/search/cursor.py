"""Cursors of search: where a search's next page starts, as a keyset on what orders its hits.

Newest first (sort=-published_at), a cursor holds the last hit's search key (its time, then
its post id): the next page is the matches older than it. By relevance, a cursor also holds
the newest match's key when the walk began: the ranked window is the newest ``RANKED``
matches up to that key, so posts added meanwhile shift neither the window nor the pages
after. Within the window a cursor holds the last hit's score and key, and the next page
goes on below them (best first, equal scores newest first); past the window, the last
hit's key, and the next page is the older matches, newest first.

A cursor is bound to the query and filters it was made for (a digest of them), and sealed
(app.core.cursors) with a key of its own: one changed by hand, made for another search, or
for another kind of list is refused.
"""

import hashlib
from enum import IntEnum
from typing import Annotated, NamedTuple

from fastapi import Query, Request

from app.core import cursors
from app.core.errors import InvalidInput
from app.core.pagination import PageParams
from app.search.schemas import SearchFilters, SearchSort

_PURPOSE = b"presseschau search cursor"
CURSOR_MAX = 128  # a search cursor is 60 characters
_DIGEST_BYTES = 8
_KEY_BYTES = 8
_SCORE_BYTES = 4
_LENGTH = 1 + _DIGEST_BYTES + _KEY_BYTES + _SCORE_BYTES + _KEY_BYTES

SearchCursorQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=CURSOR_MAX,
        description="Where the page starts: a previous page's next_cursor, as it is, with the "
        "same q, filters and sort (and without page). Unlike page numbers, a walk by cursor "
        "shows every match once while posts are added or removed.",
    ),
]


class Phase(IntEnum):
    """Where in a search's order the last hit of a page stood."""

    newest = 0  # sort=-published_at
    ranked = 1  # relevance, within the ranked window
    rest = 2  # relevance, past the window: newest first


class SearchCursor(NamedTuple):
    """The last hit a page showed: its phase, search key and score (ranked only), and the
    newest match's key when the walk began (relevance only; 0 otherwise)."""

    phase: Phase
    key: int
    score: int
    window: int


async def search_cursor_key(request: Request) -> bytes:
    """The key of search's cursors in the app ``request`` is for."""
    return await cursors.request_key(request, _PURPOSE)


def _digest(filters: SearchFilters) -> bytes:
    """What a cursor is bound to: the query and the filters, but the sort, which the phase
    tells (so a cursor for another sort is refused as such)."""
    spelled = filters.model_dump_json(exclude={"sort"}).encode()
    return hashlib.sha256(spelled).digest()[:_DIGEST_BYTES]


def encode(cursor: SearchCursor, filters: SearchFilters, key: bytes) -> str:
    payload = b"".join(
        (
            bytes((cursor.phase,)),
            _digest(filters),
            cursor.key.to_bytes(_KEY_BYTES, "big", signed=True),
            cursor.score.to_bytes(_SCORE_BYTES, "big", signed=True),
            cursor.window.to_bytes(_KEY_BYTES, "big", signed=True),
        )
    )
    return cursors.seal(payload, key)


def starting_after(
    text: str | None, filters: SearchFilters, key: bytes, paging: PageParams
) -> SearchCursor | None:
    """Where a page asked for with ``text`` (a cursor, or None: by number) starts; a cursor
    with a page number is refused, as is one this server did not make for this search."""
    if text is None:
        return None
    cursors.check_without_page(paging)
    return decode(text, filters, key)


def decode(text: str, filters: SearchFilters, key: bytes) -> SearchCursor:
    """The hit a cursor this server made for this search stops at; InvalidInput for anything
    else."""
    payload = cursors.unseal(text, key)
    if len(payload) != _LENGTH or payload[0] not in tuple(Phase):
        raise cursors.refused()
    phase = Phase(payload[0])
    made_for = SearchSort.newest if phase is Phase.newest else SearchSort.relevance
    if made_for is not filters.sort:
        raise cursors.other_sort(made_for.value, filters.sort.value)
    at = 1 + _DIGEST_BYTES
    if payload[1:at] != _digest(filters):
        raise InvalidInput(
            "cursor: made for another query or other filters; page on with the q and filters "
            "the cursor was made for, or start again without a cursor."
        )
    last = int.from_bytes(payload[at : at + _KEY_BYTES], "big", signed=True)
    at += _KEY_BYTES
    score = int.from_bytes(payload[at : at + _SCORE_BYTES], "big", signed=True)
    window = int.from_bytes(payload[at + _SCORE_BYTES :], "big", signed=True)
    return SearchCursor(phase, last, score, window)
