"""The events of a write to a post: what it did, and whether it made the post public or took
it from the public (by the one visibility rule every read uses: its stored status)."""

from collections.abc import Iterable
from typing import Any

from app.events.record import Action, Entry, Ref


def post_data(*, title: str, slug: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "slug": slug, **more}


def went_public(post_id: int, *, title: str, slug: str) -> Entry:
    """``post.published`` for a scheduled post whose time has come, as the worker that
    published it records it (with ``actor=WORKER``), once."""
    return Entry(
        Action.post_published,
        Ref("post", post_id),
        post_data(title=title, slug=slug, scheduled=True),
    )


def created(post_id: int, *, visible: bool, data: dict[str, Any]) -> list[Entry]:
    """``post.created``, and ``post.published`` when the new post is public at once."""
    ref = Ref("post", post_id)
    entries = [Entry(Action.post_created, ref, data)]
    if visible:
        entries.append(Entry(Action.post_published, ref, data))
    return entries


def updated(
    post_id: int, *, was_visible: bool, visible: bool, fields: Iterable[str], data: dict[str, Any]
) -> list[Entry]:
    """``post.updated``, with ``post.published`` or ``post.unpublished`` when the change
    turned the post's public visibility on or off."""
    entry = Entry(Action.post_updated, Ref("post", post_id), {**data, "fields": sorted(fields)})
    return _with_visibility(entry, was_visible=was_visible, visible=visible, data=data)


def _with_visibility(
    entry: Entry, *, was_visible: bool, visible: bool, data: dict[str, Any]
) -> list[Entry]:
    assert entry.ref is not None
    if visible and not was_visible:
        return [entry, Entry(Action.post_published, entry.ref, data)]
    if was_visible and not visible:
        return [entry, Entry(Action.post_unpublished, entry.ref, data)]
    return [entry]


def trashed(post_id: int, *, was_visible: bool, data: dict[str, Any]) -> list[Entry]:
    """``post.trashed`` (``data``'s status: the one it had), with ``post.unpublished`` when
    it was public."""
    entry = Entry(Action.post_trashed, Ref("post", post_id), data)
    return _with_visibility(entry, was_visible=was_visible, visible=False, data=data)


def restored(post_id: int, *, visible: bool, data: dict[str, Any]) -> list[Entry]:
    """``post.restored`` (``data``'s status: the one it has again), with ``post.published``
    when it is public again."""
    entry = Entry(Action.post_restored, Ref("post", post_id), data)
    return _with_visibility(entry, was_visible=False, visible=visible, data=data)


def purged(post_id: int, *, was_visible: bool, data: dict[str, Any]) -> list[Entry]:
    """``post.purged``, with ``post.unpublished`` when it was public until then."""
    entry = Entry(Action.post_purged, Ref("post", post_id), data)
    return _with_visibility(entry, was_visible=was_visible, visible=False, data=data)
