"""The indexer: queued posts into the search index (docs/search.md, "Keeping it right").

Triggers (``post_search`` in app.derived.triggers) take a changed post out of the index and
queue it, stepping its queue generation. The indexer works in three steps, so the CPU work
never holds SQLite's write lock and a transaction stays short:

1. ``read_queued``: a batch of queued posts with everything the index holds of them, in a
   read transaction;
2. ``analyse``: each post through the analyzer, with no transaction open;
3. ``store`` (app.search.store): in one write transaction, the posts whose queue generation
   is still the one read (a post edited meanwhile keeps its queue row and is indexed in a
   later round): their rows replaced, the vocabulary counted, their queue rows deleted.

Before each round, the next posts of a source or tag renamed are queued
(app.search.renames).

The worker runs it at each poll (``app.worker.tasks``), `presseschau migrate` for what its
migrations queued, `presseschau search reindex` for every post.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from prometheus_client import Counter
from sqlalchemy import func, select, text

from app.core.db import Database
from app.posts import queries, tag_refs
from app.search.analyzer import analyse_post
from app.search.models import NEW_GENERATION
from app.search.renames import expand_renames
from app.search.rendering import (
    LEAD_TERMS_MAX,
    NO_TEXT,
    columns,
    fts_text,
    is_token,
    pairs_literal,
    terms,
    tsvector_literal,
)
from app.search.store import Indexed, Indexing, store
from app.search.terms import search_key

# Posts per round: a write transaction stores this many at most.
BATCH = 200
# Posts queued per transaction by a reindex: SQLite's write lock is held briefly each time.
QUEUE_CHUNK = 20_000

logger = logging.getLogger(__name__)

LEFT_OUT = Counter(
    "presseschau_search_left_out_total",
    "Posts left out of the search index: the analyzer failed on them or the database refused "
    "their rows (each logged with its id and the reason). Found by nothing until changed.",
)

_POSTS = queries.POSTS
_SOURCES = queries.SOURCES
_QUEUE = text("SELECT post_id, generation FROM post_search_queue ORDER BY post_id LIMIT :batch")


class Queued(NamedTuple):
    """A queued post as the indexer read it; ``title`` is None for a post that is gone."""

    post_id: int
    generation: int
    title: str | None
    excerpt: str
    body: str
    language: str
    published_at: datetime | None
    created_at: datetime | None
    source_id: int | None
    source: str | None  # its name
    tags: list[str]


def read_queued(database: Database, batch: int = BATCH) -> list[Queued]:
    """The first ``batch`` queued posts, read in one read transaction."""
    with database.session(write=False) as session:
        connection = session.connection()
        queue = connection.execute(_QUEUE, {"batch": batch}).all()
        if not queue:
            return []
        ids = [row.post_id for row in queue]
        statement = (
            select(
                _POSTS.c.id,
                _POSTS.c.title,
                _POSTS.c.excerpt,
                _POSTS.c.body,
                _POSTS.c.language,
                _POSTS.c.published_at,
                _POSTS.c.created_at,
                _POSTS.c.source_id,
                _SOURCES.c.name.label("source"),
            )
            .select_from(_POSTS.outerjoin(_SOURCES, _SOURCES.c.id == _POSTS.c.source_id))
            .where(_POSTS.c.id.in_(ids))
        )
        posts = {row.id: row for row in connection.execute(statement)}
        tags = tag_refs.tags_by_post(connection, list(posts))
    found: list[Queued] = []
    for post_id, generation in queue:
        post = posts.get(post_id)
        if post is None:
            found.append(Queued(post_id, generation, None, "", "", "", None, None, None, None, []))
            continue
        found.append(
            Queued(
                post_id,
                generation,
                post.title,
                post.excerpt,
                post.body,
                post.language,
                post.published_at,
                post.created_at,
                post.source_id,
                post.source,
                tag_refs.tag_names(tags.get(post_id, [])),
            )
        )
    return found


def analyse(
    queued: Sequence[Queued], languages: Sequence[str], dialect: str | None = None
) -> list[Indexed]:
    """The index rows of each post: CPU work, to be done with no transaction open. A post is
    analysed in its own language (no stemming for one without a stemmer); ``languages``' first
    stands in for a post without one. Given the ``dialect`` of the database they are for,
    only its form of the text is made (the tsvector literal alone is 7 % of the work)."""
    made: list[Indexed] = []
    for post in queued:
        indexed = None
        if post.title is not None:
            try:
                indexed = _analysed(post, post.title, languages, dialect)
            except Exception:
                # One post the analyzer cannot take must not hold up every post queued after
                # it: it is left out of the index (found by nothing), and the log says so.
                logger.exception("post %s could not be analysed for search", post.post_id)
        made.append(indexed or _left_out(post))
    return made


def _left_out(post: Queued) -> Indexed:
    """A post that is gone, or is left out of the index (``title`` given)."""
    left_out = post.title is not None
    return Indexed(post.post_id, post.generation, None, "", NO_TEXT, "", "", "", "", {}, left_out)


def _analysed(post: Queued, title: str, languages: Sequence[str], dialect: str | None) -> Indexed:
    moment = post.published_at or post.created_at
    if moment is None:
        raise ValueError("a post without a creation time")
    language = post.language or (languages[0] if languages else "")
    analysed = analyse_post(
        title=title,
        excerpt=post.excerpt,
        body=post.body,
        tags=post.tags,
        source=post.source,
        language=language,
    )
    held = columns(analysed)
    source = post.source_id
    fts = fts_text(held, source) if dialect != "postgresql" else NO_TEXT
    return Indexed(
        post_id=post.post_id,
        generation=post.generation,
        key=search_key(post.post_id, moment),
        language=language,
        fts=fts,
        document=tsvector_literal(held, source) if dialect != "sqlite" else "",
        title_terms=terms(held.title),
        lead_terms=terms(held.lead, LEAD_TERMS_MAX),
        keywords=" ".join(token for token in analysed.keywords if is_token(token)),
        words=analysed.words,
        pairs=pairs_literal(held, source) if dialect != "sqlite" else "",
    )


def index_queued(
    database: Database,
    languages: Sequence[str],
    *,
    batch: int = BATCH,
    rounds: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Indexing:
    """Index queued posts, ``batch`` per round, each round first queueing the next posts of
    a rename (``expand_renames``), until nothing is left to do (or after ``rounds`` rounds,
    or a round that changed nothing: what is left is held by other transactions, for a later
    call). Tells ``progress`` the queue rows handled so far after each round."""
    done = Indexing()
    done_rounds = 0
    while rounds is None or done_rounds < rounds:
        expanded = expand_renames(database)
        queued = read_queued(database, batch)
        dialect = database.engine.dialect.name
        stored = store(database, analyse(queued, languages, dialect))
        done_rounds += 1
        this_round = stored._replace(queued=expanded.queued, renames=expanded.finished)
        done = done.plus(this_round)
        if stored.left_out:
            LEFT_OUT.inc(stored.left_out)
        if queued and progress is not None:
            progress(done.handled)
        drained = len(queued) < batch and not expanded.pending
        if drained or not this_round.progress:
            break
    return done


_QUEUE_RANGE = {
    dialect: text(
        "INSERT INTO post_search_queue (post_id, generation) "  # noqa: S608 (constants)
        f"SELECT id, {generation} FROM posts WHERE id > :after AND id <= :last "
        "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation"
    )
    for dialect, generation in NEW_GENERATION.items()
}


_FORGET_RENAMES = text("DELETE FROM post_search_renames")


def queued_count(database: Database) -> int:
    with database.session(write=False) as session:
        count = session.connection().execute(
            select(func.count()).select_from(text("post_search_queue"))
        )
        return int(count.scalar_one())


def reindex(
    database: Database,
    languages: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    *,
    batch: int = BATCH,
) -> Indexing:
    """Index every post anew (after a change of the analyzer, or to repair): each is queued,
    then indexed ``batch`` at a time, so memory and each transaction stay bounded. A post
    keeps its old rows, and is found by them, until its new ones replace them. ``progress``
    is told the posts handled and the total."""
    with database.write_connection() as connection:
        # Every post is queued after this: renames recorded so far have nothing to add.
        connection.execute(_FORGET_RENAMES)
    with database.session(write=False) as session:
        last = session.connection().execute(select(func.max(_POSTS.c.id))).scalar() or 0
    for after in range(0, last, QUEUE_CHUNK):
        with database.write_connection() as connection:
            queue = _QUEUE_RANGE[connection.dialect.name]
            connection.execute(queue, {"after": after, "last": after + QUEUE_CHUNK})
    total = queued_count(database)

    def told(handled: int) -> None:
        if progress is not None:
            progress(min(handled, total), total)

    return index_queued(database, languages, batch=batch, progress=told)
