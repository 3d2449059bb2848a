"""Relevance, computed here from what the index keeps of each post, so both databases rank
alike: every clause of a query scores where it matches best: in the title, in the lead
(excerpt, tags, source), among the post's keywords, or elsewhere in its text."""

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, select

from app.search.matching import Match
from app.search.models import PostSearch
from app.search.query import needles, spaced
from app.search.terms import Query

TITLE, LEAD, KEYWORD, ANYWHERE = 8, 4, 2, 1

_HEADS = PostSearch.metadata.tables["post_search"]


class Head(NamedTuple):
    """What ranking reads of a post, as the index keeps it: its title's and lead's tokens
    in text order and its keywords, each space-separated with a space at each end."""

    title: str
    lead: str
    keywords: str


def _heads(connection: Connection, post_ids: Sequence[int]) -> dict[int, Head]:
    if not post_ids:
        return {}
    rows = connection.execute(
        select(_HEADS.c.post_id, _HEADS.c.title_terms, _HEADS.c.lead_terms, _HEADS.c.keywords)
        .where(_HEADS.c.post_id.in_(list(post_ids)))
    )  # fmt: skip
    return {
        post_id: Head(spaced(title), spaced(lead), spaced(keys))
        for post_id, title, lead, keys in rows
    }


def _scorer(query: Query) -> Callable[[Head], int]:
    """The score of a post for ``query``: the sum of its clauses' best places. Each
    clause's needles are made once for all the posts scored."""
    found = [needles(clause) for clause in query.clauses]

    def score(head: Head) -> int:
        total = 0
        for placed, mentioned in found:
            if any(needle in head.title for needle in placed):
                total += TITLE
            elif any(needle in head.lead for needle in placed):
                total += LEAD
            elif any(needle in head.keywords for needle in mentioned):
                total += KEYWORD
            else:
                total += ANYWHERE  # it matched, so somewhere in the body
        return total

    return score


def rank(
    connection: Connection, query: Query, candidates: Sequence[Match]
) -> tuple[list[Match], dict[int, int]]:
    """``candidates`` (newest first) best first, equal scores newest first; and the scores
    by post id."""
    found = scores(connection, query, [candidate.post_id for candidate in candidates])
    ordered = sorted(candidates, key=lambda c: (-found.get(c.post_id, 0), -c.key))
    return ordered, found


def scores(connection: Connection, query: Query, post_ids: Iterable[int]) -> dict[int, int]:
    """The scores of these posts."""
    score = _scorer(query)
    return {post_id: score(head) for post_id, head in _heads(connection, list(post_ids)).items()}
