"""A post's tags: given by name, made on first use, shared by every post that names them."""

from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from app.core.db import on_conflict_do_nothing
from app.core.text import slugify
from app.posts.models import PostTag, Tag

_TAGS = Tag.metadata.tables["tags"]


def set_tags(session: Session, post_id: int, names: list[str], *, replace: bool) -> None:
    """Give the post these tags (``replace``: instead of those it has)."""
    if replace:
        session.execute(delete(PostTag).where(col(PostTag.post_id) == post_id))
    add_tags(session, {post_id: names})


def slug_of(name: str) -> str:
    """The slug of the tag named ``name``: posts name their tags, and are matched to them by
    this (so a renamed tag's slug follows its name)."""
    return slugify(name, max_length=120) or name.lower()


def tag_slugs(session: Session, post_ids: list[int]) -> dict[int, set[str]]:
    """The slugs of each post's tags, in one query."""
    found: dict[int, set[str]] = {post_id: set() for post_id in post_ids}
    rows = session.execute(
        select(col(PostTag.post_id), col(Tag.slug))
        .join(Tag, col(Tag.id) == col(PostTag.tag_id))
        .where(col(PostTag.post_id).in_(post_ids))
    )
    for row in rows:
        found[row.post_id].add(row.slug)
    return found


def slugs_of(names: list[str]) -> set[str]:
    """The slugs of tags named so, as a post's tags are matched by."""
    return {slug_of(name) for name in names}


def retag(session: Session, post_ids: list[int], *, add: list[str], remove: list[str]) -> None:
    """Remove the tags named ``remove`` from these posts and give them those named ``add``
    (made when new), whichever they had: a few statements, however many posts."""
    if remove:
        gone = select(col(Tag.id)).where(col(Tag.slug).in_(slugs_of(remove)))
        session.execute(
            delete(PostTag).where(col(PostTag.post_id).in_(post_ids), col(PostTag.tag_id).in_(gone))
        )
    if add:
        add_tags(session, dict.fromkeys(post_ids, add), skip_existing=True)


def add_tags(
    session: Session, names_by_post: dict[int, list[str]], *, skip_existing: bool = False
) -> None:
    """Give new posts their tags, making the tags that do not exist yet: a query, an insert
    of the new tags and one of the links, however many posts (``skip_existing``: links the
    posts have already are left as they are)."""
    wanted: dict[int, dict[str, str]] = {}  # post id → tag slug → name
    for post_id, names in names_by_post.items():
        by_slug = wanted[post_id] = {}
        for name in names:
            by_slug.setdefault(slug_of(name), name)
    all_slugs = {slug: name for by_slug in wanted.values() for slug, name in by_slug.items()}
    if not all_slugs:
        return
    existing = dict(
        session.execute(
            select(col(Tag.slug), col(Tag.id)).where(col(Tag.slug).in_(all_slugs))
        ).all()
    )
    new = [{"name": name, "slug": slug} for slug, name in all_slugs.items() if slug not in existing]
    if new:
        # A writer adding the same new tag meanwhile (PostgreSQL runs writers side by side)
        # makes the insert wait for it and skip that tag; the tags are then read, whoever
        # made them.
        session.execute(on_conflict_do_nothing(session, _TAGS, ["slug"]), new)
        existing |= dict(
            session.execute(
                select(col(Tag.slug), col(Tag.id)).where(
                    col(Tag.slug).in_([tag["slug"] for tag in new])
                )
            ).all()
        )
    links = [
        {"post_id": post_id, "tag_id": existing[slug]}
        for post_id, by_slug in wanted.items()
        for slug in by_slug
    ]
    links_table = PostTag.metadata.tables["post_tags"]
    insert_links = (
        on_conflict_do_nothing(session, links_table) if skip_existing else insert(PostTag)
    )
    session.execute(insert_links, links)
