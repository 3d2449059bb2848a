"""The search index's tables (docs/search.md).

``post_search_text`` holds the posts' tokens where each database searches them: an FTS5 table
on SQLite, a table with a GIN-indexed ``tsvector`` on PostgreSQL. It differs between the two
databases, so no model declares it: the migration makes it, and the comparison of the
migrated schema with the models leaves it (and FTS5's own tables) out (``undeclared``).
"""

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

SEARCH_TEXT = "post_search_text"
# A queue generation: random over 52 bits on both databases (a repeat is a chance in 2^52).
NEW_GENERATION = {
    "sqlite": "(random() >> 12)",
    "postgresql": "floor(random() * 4503599627370496)::bigint",
}
# The tables FTS5 keeps for a table of its own, named after it.
_FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")
UNDECLARED_TABLES = frozenset({SEARCH_TEXT, *(f"{SEARCH_TEXT}_{name}" for name in _FTS5_SHADOWS)})


def undeclared(name: str | None) -> bool:
    """Whether the table ``name`` is one of the index's that no model declares."""
    return name in UNDECLARED_TABLES


class PostSearch(SQLModel, table=True):
    """What ranking reads of an indexed post (space-joined tokens), and its search key: the
    rowid of its ``post_search_text`` row on SQLite, its ``key`` on PostgreSQL. A post has a
    row here exactly while its text is in the index."""

    __tablename__ = "post_search"

    post_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    # app.search.terms.search_key: newest first, then by id; the low 32 bits are the post id.
    key: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    # The language whose stemmer analysed the post.
    language: str = Field(sa_column=Column(String(35), nullable=False))
    title_terms: str = Field(default="", sa_column=Column(Text, nullable=False))
    lead_terms: str = Field(default="", sa_column=Column(Text, nullable=False))  # capped
    keywords: str = Field(default="", sa_column=Column(Text, nullable=False))


class PostSearchQueue(SQLModel, table=True):
    """Posts to index: filled by triggers (``post_search`` in app.derived.triggers), emptied
    by the indexer (app.search.index). Each change gives ``generation`` a new random value
    (``NEW_GENERATION``), never a count that starts again when the row is deleted and made
    anew: an indexer holding an old read can never take a later change's value for its own,
    so the indexer can
    tell that a post changed while it was analysing it."""

    __tablename__ = "post_search_queue"

    post_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    generation: int = Field(sa_column=Column(BigInteger, nullable=False))


# What a rename row names: a source (its posts) or a tag (the posts it is on).
RENAMED_KINDS = ("source", "tag")


class PostSearchRename(SQLModel, table=True):
    """A source or tag renamed whose posts the indexer has yet to queue: one row, written by
    the rename's trigger (``post_search`` in app.derived.triggers), so a rename costs the
    writer one row however many posts it concerns. The indexer (app.search.renames) queues
    the posts in id order, a bounded batch per transaction, moving ``after_post`` on, and
    deletes the row after the last. A rename again gives ``generation`` a new random value
    and starts over from the first post: an indexer holding an earlier read of the row
    cannot move it on."""

    __tablename__ = "post_search_renames"
    __table_args__ = (CheckConstraint("kind IN ('source', 'tag')", name="kind"),)

    kind: str = Field(sa_column=Column(String(10), primary_key=True))
    target_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    generation: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The posts up to this id are queued (0: none yet).
    after_post: int = Field(sa_column=Column(Integer, nullable=False))


class SearchWord(SQLModel, table=True):
    """The vocabulary suggestions are made from: each folded word the indexed posts hold,
    the form it was first written in, and how many indexings met it (never counted down)."""

    __tablename__ = "search_words"

    # Byte order on both databases (PostgreSQL's "C" collation): suggestions read words by a
    # range on it, the first in order, and must read the same ones on both.
    word: str = Field(
        sa_column=Column(Text().with_variant(Text(collation="C"), "postgresql"), primary_key=True)
    )
    shown: str = Field(sa_column=Column(Text, nullable=False))
    uses: int = Field(sa_column=Column(Integer, nullable=False))
