"""The indexer: queued posts into the search index (docs/search.md, "Keeping it right").

Triggers (``post_search`` in app.derived.triggers) take a changed post out of the index and
queue it, stepping its queue generation. The indexer works in three steps, so the CPU work
never holds SQLite's write lock and a transaction stays short:

1. ``read_queued``: a batch of queued posts with everything the index holds of them, in a
   read transaction;
2. ``analyse``: each post through the analyzer, with no transaction open;
3. ``store``: in one write transaction, the posts whose queue generation is still the one
   read (a post edited meanwhile keeps its queue row and is indexed in a later round): their
   rows replaced, the vocabulary counted, their queue rows deleted. One statement per table
   for the whole batch, none per post.

The worker runs it at each poll (``app.worker.tasks``), `presseschau migrate` for what its
migrations queued, `presseschau search reindex` for every post.
"""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import BindParameter, Connection, bindparam, func, select, text

from app.core.db import Database
from app.derived.content_version import bump
from app.posts import queries
from app.search.analyzer import analyse_post
from app.search.models import NEW_GENERATION
from app.search.rendering import (
    LEAD_TERMS_MAX,
    columns,
    fts_text,
    is_token,
    terms,
    tsvector_literal,
)
from app.search.terms import search_key

# Posts per round: a write transaction stores this many at most.
BATCH = 200
# Posts queued per transaction by a reindex: SQLite's write lock is held briefly each time.
QUEUE_CHUNK = 20_000

logger = logging.getLogger(__name__)

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
    source: str | None
    tags: list[str]


class Indexed(NamedTuple):
    """A post's rows in the index, made from a ``Queued`` post (``key`` is None for a post
    that is gone: its queue row is only deleted)."""

    post_id: int
    generation: int
    key: int | None
    language: str
    fts: tuple[str, str, str, str]
    document: str
    title_terms: str
    lead_terms: str
    keywords: str
    words: dict[str, str]


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
                _SOURCES.c.name.label("source"),
            )
            .select_from(_POSTS.outerjoin(_SOURCES, _SOURCES.c.id == _POSTS.c.source_id))
            .where(_POSTS.c.id.in_(ids))
        )
        posts = {row.id: row for row in connection.execute(statement)}
        tags = queries.tags_by_post(connection, list(posts))
    found: list[Queued] = []
    for post_id, generation in queue:
        post = posts.get(post_id)
        if post is None:
            found.append(Queued(post_id, generation, None, "", "", "", None, None, None, []))
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
                post.source,
                tags.get(post_id, []),
            )
        )
    return found


def analyse(queued: Sequence[Queued], languages: Sequence[str]) -> list[Indexed]:
    """The index rows of each post: CPU work, to be done with no transaction open. A post is
    analysed in its own language (no stemming for one without a stemmer); ``languages``' first
    stands in for a post without one."""
    made: list[Indexed] = []
    for post in queued:
        indexed = None
        if post.title is not None:
            try:
                indexed = _analysed(post, post.title, languages)
            except Exception:
                # One post the analyzer cannot take must not hold up every post queued after
                # it: it is left out of the index (found by nothing), and the log says so.
                logger.exception("post %s could not be analysed for search", post.post_id)
        made.append(indexed or _left_out(post))
    return made


def _left_out(post: Queued) -> Indexed:
    """A post that has no rows in the index: its queue row is only deleted."""
    return Indexed(post.post_id, post.generation, None, "", ("",) * 4, "", "", "", "", {})


def _analysed(post: Queued, title: str, languages: Sequence[str]) -> Indexed:
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
    fts = fts_text(held)
    return Indexed(
        post_id=post.post_id,
        generation=post.generation,
        key=search_key(post.post_id, moment),
        language=language,
        fts=(fts.title, fts.lead, fts.body, fts.parts),
        document=tsvector_literal(held),
        title_terms=terms(held.title),
        lead_terms=terms(held.lead, LEAD_TERMS_MAX),
        keywords=" ".join(token for token in analysed.keywords if is_token(token)),
        words=analysed.words,
    )


_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_GENERATIONS = text(
    "SELECT post_id, generation FROM post_search_queue WHERE post_id IN :ids ORDER BY post_id"
).bindparams(_IDS)
_LOCK_POSTS = text("SELECT id FROM posts WHERE id IN :ids ORDER BY id FOR KEY SHARE").bindparams(
    _IDS
)
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
_UNQUEUE = text(
    "DELETE FROM post_search_queue WHERE post_id = :post_id AND generation = :generation"
)


class _TextTable(NamedTuple):
    """The statements of ``post_search_text`` on one database."""

    delete: str  # the rows of the keys :keys, and of the posts :ids' current keys
    insert: str


_TEXT_TABLES = {
    "sqlite": _TextTable(
        "DELETE FROM post_search_text WHERE rowid IN :keys OR rowid IN "
        "(SELECT key FROM post_search WHERE post_id IN :ids)",
        "INSERT INTO post_search_text (rowid, title, lead, body, parts) "
        "VALUES (:key, :title, :lead, :body, :parts)",
    ),
    "postgresql": _TextTable(
        "DELETE FROM post_search_text WHERE key IN :keys OR key IN "
        "(SELECT key FROM post_search WHERE post_id IN :ids)",
        "INSERT INTO post_search_text (key, document) VALUES (:key, CAST(:document AS tsvector))",
    ),
}


def store(database: Database, indexed: Sequence[Indexed]) -> int:
    """Store the posts whose queue generation is still the one they were read with, in one
    write transaction; returns how many were stored."""
    if not indexed:
        return 0
    with database.write_connection() as connection:
        return store_in(connection, indexed)


def store_in(connection: Connection, indexed: Sequence[Indexed]) -> int:
    """``store`` in the write transaction of ``connection``."""
    dialect = connection.dialect.name
    ids = [post.post_id for post in indexed]
    statement = _GENERATIONS
    if dialect == "postgresql":
        # The posts first, then their queue rows, each in id order, as every writer takes
        # them (a purge locks its post, then deletes its queue row): no deadlock. A writer
        # that changes a post meanwhile waits for this commit, then takes out what it
        # stored; a second indexer storing the same posts waits, then finds them taken in.
        connection.execute(_LOCK_POSTS, {"ids": ids})
        statement = text(f"{_GENERATIONS.text} FOR UPDATE").bindparams(_IDS)
    current = {row.post_id: row.generation for row in connection.execute(statement, {"ids": ids})}
    unchanged = [post for post in indexed if current.get(post.post_id) == post.generation]
    if not unchanged:
        return 0
    fresh = [post for post in unchanged if post.key is not None]
    if fresh:
        table = _TEXT_TABLES[dialect]
        fresh_ids = [post.post_id for post in fresh]
        delete_text = text(table.delete).bindparams(_IDS, bindparam("keys", expanding=True))
        connection.execute(delete_text, {"ids": fresh_ids, "keys": [post.key for post in fresh]})
        connection.execute(_DELETE_ROWS, {"ids": fresh_ids})
        connection.execute(text(table.insert), [_text_row(post, dialect) for post in fresh])
        connection.execute(_INSERT_ROW, [_search_row(post) for post in fresh])
        words = _words(fresh)
        if words:
            connection.execute(_UPSERT_WORD, words)
        # What search finds has changed: no cached answer outlives it.
        bump(connection)
    connection.execute(
        _UNQUEUE,
        [{"post_id": post.post_id, "generation": post.generation} for post in unchanged],
    )
    return len(fresh)


def _text_row(post: Indexed, dialect: str) -> dict[str, object]:
    if dialect == "postgresql":
        return {"key": post.key, "document": post.document}
    title, lead, body, parts = post.fts
    return {"key": post.key, "title": title, "lead": lead, "body": body, "parts": parts}


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


def index_queued(
    database: Database,
    languages: Sequence[str],
    *,
    batch: int = BATCH,
    rounds: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index queued posts, ``batch`` per round, until the queue is empty (or after ``rounds``
    rounds); returns how many posts were stored, and tells ``progress`` the number of posts
    handled so far after each round."""
    stored = handled = done_rounds = 0
    while rounds is None or done_rounds < rounds:
        queued = read_queued(database, batch)
        if not queued:
            break
        stored += store(database, analyse(queued, languages))
        handled += len(queued)
        done_rounds += 1
        if progress is not None:
            progress(handled)
        if len(queued) < batch:
            break
    return stored


_QUEUE_RANGE = {
    dialect: text(
        "INSERT INTO post_search_queue (post_id, generation) "  # noqa: S608 (constants)
        f"SELECT id, {generation} FROM posts WHERE id > :after AND id <= :last "
        "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation"
    )
    for dialect, generation in NEW_GENERATION.items()
}


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
) -> int:
    """Index every post anew (after a change of the analyzer, or to repair): each is queued,
    then indexed ``batch`` at a time, so memory and each transaction stay bounded. A post
    keeps its old rows, and is found by them, until its new ones replace them. Returns how
    many posts were stored; ``progress`` is told the posts handled and the total."""
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
