"""The indexer's write: analysed posts into the index, in one short write transaction per
batch (docs/search.md, "Keeping it right").

Only posts whose queue generation is still the one they were read with are stored (a post
edited meanwhile keeps its queue row for a later round): their rows replaced, the vocabulary
counted, their queue rows deleted. One statement per table for the whole batch, none per
post.

On PostgreSQL several indexers (one per serve process) and the writers run at once. The
indexer locks the posts, then their queue rows, each in id order, as writers take them, and
with SKIP LOCKED: a row another transaction holds is left to it (a writer changing the post
steps its generation; another indexer stores it), so an indexer never waits for another, nor
for a writer, and no two can deadlock.

A batch the database refuses (any error but a lost connection or a lock: a row past a
limit, a constraint) is stored again post by post; a post refused alone is left out of the
index (its rows deleted, its queue row too, so it is not tried again in a loop, and the log
says which and why) and the others are stored.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import BindParameter, Connection, bindparam, text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.db import Database
from app.derived.content_version import bump
from app.derived.generations import GenerationQueue, Taken
from app.search.rendering import FtsText

logger = logging.getLogger(__name__)

# Errors that say nothing about the posts (the database is away, busy or locked, or chose
# this transaction to end a deadlock): the batch stays queued for a later round.
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class Indexed(NamedTuple):
    """A post's rows in the index, made from a ``Queued`` post. ``key`` is None for a post
    that is gone (its queue row is only deleted) and for one ``left_out``: it could not be
    analysed or stored, so its rows are deleted with its queue row, and it is found by
    nothing until it is changed again."""

    post_id: int
    generation: int
    key: int | None
    language: str
    fts: FtsText
    document: str
    title_terms: str
    lead_terms: str
    keywords: str
    words: dict[str, str]
    left_out: bool = False
    pairs: str = ""  # PostgreSQL's pairs of neighbouring tokens (rendering.pairs_literal)


class Indexing(NamedTuple):
    """What indexing did with the queue rows it read: each was ``stored``, found ``gone``
    (no longer a post), ``left_out`` (could not be analysed or stored: logged, unqueued), or
    ``stale`` (edited since it was read, or held or taken in by another indexer: left to a
    later round, or to it); ``queued`` counts posts queued by renames expanded, ``renames``
    the renames finished."""

    stored: int = 0
    gone: int = 0
    left_out: int = 0
    stale: int = 0
    queued: int = 0
    renames: int = 0

    @property
    def handled(self) -> int:
        """Queue rows dealt with, one way or another."""
        return self.stored + self.gone + self.left_out + self.stale

    @property
    def progress(self) -> int:
        """Work done that leaves less to do: what a sweep reports."""
        return self.stored + self.gone + self.left_out + self.queued + self.renames

    def plus(self, other: "Indexing") -> "Indexing":
        return Indexing(*(mine + theirs for mine, theirs in zip(self, other, strict=True)))


_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_QUEUE = GenerationQueue("post_search_queue")
_INSERT_ROW = text(
    "INSERT INTO post_search (post_id, key, language, title_terms, lead_terms, keywords) "
    "VALUES (:post_id, :key, :language, :title_terms, :lead_terms, :keywords)"
)
_DELETE_ROWS = text("DELETE FROM post_search WHERE post_id IN :ids").bindparams(_IDS)
# Counted once per indexing of a post that holds the word; the form first seen is kept.
_UPSERT_WORD = text(
    "INSERT INTO search_words (word, shown, uses) VALUES (:word, :shown, :uses) "
    "ON CONFLICT (word) DO UPDATE SET uses = search_words.uses + excluded.uses"
)


class _TextTable(NamedTuple):
    """The statements of ``post_search_text`` on one database."""

    delete: str  # the rows of the keys :keys, and of the posts :ids' current keys
    insert: str


_TEXT_TABLES = {
    "sqlite": _TextTable(
        "DELETE FROM post_search_text WHERE rowid IN :keys OR rowid IN "
        "(SELECT key FROM post_search WHERE post_id IN :ids)",
        "INSERT INTO post_search_text (rowid, title, lead, body, parts, source) "
        "VALUES (:key, :title, :lead, :body, :parts, :source)",
    ),
    "postgresql": _TextTable(
        "DELETE FROM post_search_text WHERE key IN :keys OR key IN "
        "(SELECT key FROM post_search WHERE post_id IN :ids)",
        "INSERT INTO post_search_text (key, document, pairs) "
        "VALUES (:key, CAST(:document AS tsvector), CAST(:pairs AS tsvector))",
    ),
}


def store(database: Database, indexed: Sequence[Indexed]) -> Indexing:
    """Store the posts whose queue generation is still the one they were read with, in one
    write transaction; if the database refuses the batch, post by post, leaving out a post
    it refuses alone."""
    if not indexed:
        return Indexing()
    try:
        with database.write_connection() as connection:
            return store_in(connection, indexed)
    except TRANSIENT:
        raise
    except Exception as error:
        if len(indexed) == 1:
            return _leave_out(database, indexed[0], error)
        logger.warning(
            "storing %d posts for search failed (%s); storing them one by one",
            len(indexed),
            _reason(error),
        )
    done = Indexing()
    for post in indexed:
        done = done.plus(store(database, [post]))
    return done


def _leave_out(database: Database, post: Indexed, error: Exception) -> Indexing:
    logger.error(
        "post %s left out of the search index: the database refused it (%s)",
        post.post_id,
        _reason(error),
    )
    left_out = post._replace(key=None, left_out=True)
    with database.write_connection() as connection:
        return store_in(connection, [left_out])


def _reason(error: Exception) -> str:
    """The error's first line, without the statement and parameters SQLAlchemy adds."""
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"


def store_in(connection: Connection, indexed: Sequence[Indexed]) -> Indexing:
    """``store`` in the write transaction of ``connection``, for a batch as read (in post id
    order)."""
    dialect = connection.dialect.name
    # A post being purged (a purge locks its post, then deletes its queue row), or whose
    # queue row a writer or another indexer holds, is left to that transaction (PostgreSQL).
    # A writer that changes a post after this took its queue row waits for this commit, then
    # takes out what it stored. A post the read found is skipped if it is gone now.
    gone = {post.post_id for post in indexed if _gone(post)}
    current = _QUEUE.current(connection, [post.post_id for post in indexed], gone)
    unchanged = [post for post in indexed if current.get(post.post_id) == post.generation]
    stale = len(indexed) - len(unchanged)
    if not unchanged:
        return Indexing(stale=stale)
    fresh = [post for post in unchanged if post.key is not None]
    left_out = [post.post_id for post in unchanged if post.left_out]
    table = _TEXT_TABLES[dialect]
    if fresh or left_out:
        delete_text = text(table.delete).bindparams(_IDS, bindparam("keys", expanding=True))
        replaced = [post.post_id for post in fresh] + left_out
        keys = [post.key for post in fresh]
        connection.execute(delete_text, {"ids": replaced, "keys": keys})
        connection.execute(_DELETE_ROWS, {"ids": replaced})
    if fresh:
        connection.execute(text(table.insert), [_text_row(post, dialect) for post in fresh])
        connection.execute(_INSERT_ROW, [_search_row(post) for post in fresh])
        words = _words(fresh)
        if words:
            connection.execute(_UPSERT_WORD, words)
    _QUEUE.unqueue(connection, (Taken(post.post_id, post.generation) for post in unchanged))
    if fresh or left_out:
        # What search finds has changed: no cached answer outlives it. Last, so the one row
        # every writer steps as it commits is held only until this commits.
        bump(connection)
    return Indexing(
        stored=len(fresh),
        gone=sum(1 for post in unchanged if _gone(post)),
        left_out=len(left_out),
        stale=stale,
    )


def _gone(post: Indexed) -> bool:
    return post.key is None and not post.left_out


def _text_row(post: Indexed, dialect: str) -> dict[str, object]:
    if dialect == "postgresql":
        return {"key": post.key, "document": post.document, "pairs": post.pairs}
    return {"key": post.key, **post.fts._asdict()}


def _search_row(post: Indexed) -> dict[str, object]:
    return {
        "post_id": post.post_id,
        "key": post.key,
        "language": post.language,
        "title_terms": post.title_terms,
        "lead_terms": post.lead_terms,
        "keywords": post.keywords,
    }


def _words(posts: Sequence[Indexed]) -> list[dict[str, object]]:
    """The batch's vocabulary, each word once with the posts that hold it counted, in one
    order (concurrent indexers on PostgreSQL lock the words alike: no deadlock)."""
    uses: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for post in posts:
        for word, form in post.words.items():
            uses[word] += 1
            shown.setdefault(word, form)
    return [{"word": word, "shown": shown[word], "uses": uses[word]} for word in sorted(uses)]
