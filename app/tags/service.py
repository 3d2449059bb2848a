"""Tags: listed with their published posts' counts, renamed and merged by editors.

A rename or merge changes what every post carrying the tag shows: the triggers queue the
posts' documents and search entries as for a source's rename (app.derived.triggers), each
post gets a revision (its tags differ) and a ``post.updated`` event, and the tag an event
of its own (object type ``tag``, which ``tag.*`` webhooks take)."""

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import Page, PageParams
from app.derived.memo import memo_for
from app.events import posts as post_events
from app.events.record import Action, Entry, Ref, record_all
from app.posts.tags import slug_of
from app.posts.visibility import is_published
from app.tags import queries
from app.tags.queries import POST_TAGS, POSTS, TAGS, TagOrders, TagRow
from app.tags.schemas import TagMerge, TagPublic, TagSort, TagUpdate

# Under this key the memo keeps every tag in both orders per content version.
ORDERS_KEY = "tag_orders"


def _public(row: TagRow) -> TagPublic:
    # Built without validation: every value comes from a row the write path validated.
    return TagPublic.model_construct(slug=row.slug, name=row.name, count=row.posts)


def _orders(session: Session) -> TagOrders:
    connection = session.connection()
    return queries.orders(
        connection.execute(queries.tags_statement()).all(),
        connection.execute(queries.counts_statement()).all(),
    )


def list_tags(
    session: Session, *, paging: PageParams, sort: TagSort, everyone: bool
) -> Page[TagPublic]:
    """A page of tags in this order; ``everyone``: those without published posts too (for
    editors), else only tags some published post carries."""
    orders = memo_for(session).get(session, ORDERS_KEY, lambda: _orders(session))
    listed = (orders.every if everyone else orders.public)[sort]
    page = listed[paging.offset : paging.offset + paging.per_page]
    return Page(
        items=[_public(row) for row in page],
        total=len(listed),
        page=paging.page,
        per_page=paging.per_page,
    )


def _tag_row(session: Session, slug: str) -> TagRow | None:
    row = session.connection().execute(queries.tag_statement(slug)).one_or_none()
    return None if row is None else TagRow(row.id, row.slug, row.name, int(row[3]))


def get_tag(session: Session, *, slug: str, everyone: bool) -> TagPublic:
    """One tag; ``everyone``: even one no published post carries (for editors), which is
    otherwise as unknown as a draft is."""
    row = _tag_row(session, slug)
    if row is None or not (everyone or row.posts):
        raise NotFound(f"There is no tag {slug!r}.")
    return _public(row)


def _locked(session: Session, slug: str) -> TagRow:
    """The tag, locked for this write (PostgreSQL: FOR UPDATE; SQLite's write transaction
    holds the whole database)."""
    found = session.execute(
        select(TAGS.c.id, TAGS.c.slug, TAGS.c.name).where(TAGS.c.slug == slug).with_for_update()
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no tag {slug!r}.")
    return TagRow(found.id, found.slug, found.name, 0)


def _post_events(session: Session, tag_id: int) -> list[Entry]:
    """A ``post.updated`` (fields: tags) for each post carrying the tag, read in one query."""
    rows = session.execute(
        select(POSTS.c.id, POSTS.c.title, POSTS.c.slug, POSTS.c.status)
        .join(POST_TAGS, POST_TAGS.c.post_id == POSTS.c.id)
        .where(POST_TAGS.c.tag_id == tag_id)
        .order_by(POSTS.c.id)
    ).all()
    entries: list[Entry] = []
    for row in rows:
        visible = is_published(row.status)
        about = post_events.post_data(title=row.title, slug=row.slug, status=row.status)
        entries += post_events.updated(
            row.id, was_visible=visible, visible=visible, fields=["tags"], data=about
        )
    return entries


# A rename changes no link, which is what queues a post's revision: its posts are queued
# here, and the write's before-commit hook writes their revisions (app.revisions.keeping).
_QUEUE_REVISIONS = text(
    "INSERT INTO post_revision_queue (post_id) "
    "SELECT post_id FROM post_tags WHERE tag_id = :tag ON CONFLICT DO NOTHING"
)


def rename_tag(session: Session, *, slug: str, data: TagUpdate) -> TagPublic:
    """Give the tag a new name, and the slug of that name."""
    data = data.cleaned()  # done before the transaction began, unless the caller skipped it
    tag = _locked(session, slug)
    new_slug = slug_of(data.name)
    if new_slug != tag.slug:
        other = session.scalar(select(TAGS.c.name).where(TAGS.c.slug == new_slug))
        if other is not None:
            raise Conflict(
                f"The tag {other!r} has the slug {new_slug!r} already: to give this tag's "
                f"posts that one instead, merge it (POST /api/v1/tags/{tag.slug}/merge with "
                f'{{"into": "{new_slug}"}}).'
            )
    if data.name == tag.name:
        return get_tag(session, slug=tag.slug, everyone=True)
    posts = _post_events(session, tag.id)
    try:
        session.execute(
            update(TAGS).where(TAGS.c.id == tag.id).values(name=data.name, slug=new_slug)
        )
    except IntegrityError as exc:  # a writer made that tag meanwhile
        raise Conflict(f"A tag with the slug {new_slug!r} exists already.") from exc
    session.execute(_QUEUE_REVISIONS, {"tag": tag.id})
    renamed = Entry(
        Action.tag_renamed,
        Ref("tag", tag.id),
        {
            "name": data.name,
            "slug": new_slug,
            "old_name": tag.name,
            "old_slug": tag.slug,
            "posts": len({entry.ref.id for entry in posts if entry.ref}),
        },
    )
    record_all(session, [renamed, *posts])
    return get_tag(session, slug=new_slug, everyone=True)


def merge_tag(session: Session, *, slug: str, data: TagMerge) -> TagPublic:
    """Give every post carrying the tag ``data.into`` instead (once, where it had both), and
    delete the tag; returns the tag merged into."""
    if data.into == slug:
        raise InvalidInput(f"into: a tag cannot be merged into itself ({slug!r}).")
    # Both locked in the order of their slugs, as every merge takes them.
    first, second = sorted((slug, data.into))
    locked = {first: _locked(session, first), second: _locked(session, second)}
    tag, into = locked[slug], locked[data.into]
    posts = _post_events(session, tag.id)
    carried = POST_TAGS.c.tag_id == tag.id
    # The links' triggers queue each post's document, search entry and revision, and step
    # its version: every post whose tags change.
    session.execute(
        text(
            "INSERT INTO post_tags (post_id, tag_id) "
            "SELECT post_id, :into FROM post_tags WHERE tag_id = :tag ON CONFLICT DO NOTHING"
        ),
        {"into": into.id, "tag": tag.id},
    )
    session.execute(delete(POST_TAGS).where(carried))
    session.execute(delete(TAGS).where(TAGS.c.id == tag.id))
    merged = Entry(
        Action.tag_merged,
        Ref("tag", tag.id),
        {
            "name": tag.name,
            "slug": tag.slug,
            "into": {"id": into.id, "name": into.name, "slug": into.slug},
            "posts": len({entry.ref.id for entry in posts if entry.ref}),
        },
    )
    record_all(session, [merged, *posts])
    return get_tag(session, slug=into.slug, everyone=True)
