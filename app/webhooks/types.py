"""The event types an endpoint may subscribe to, and the events (app.events) each stands for."""

from typing import NamedTuple

from app.events.record import Action


class Match(NamedTuple):
    """What a subscription matches in the events table: the object type, and the action
    (None: every action of that object type)."""

    object_type: str
    action: str | None


# A post's types name what a frontend does with them; ``post.deleted`` is the purge (deleted
# for good), since a DELETE now moves a post to the trash (``post.trashed``).
POST_TYPES: dict[str, str] = {
    "post.published": Action.post_published,
    "post.updated": Action.post_updated,
    "post.unpublished": Action.post_unpublished,
    "post.trashed": Action.post_trashed,
    "post.deleted": Action.post_purged,
}
# Families: every action of the object type, those to come included.
FAMILY_TYPES: dict[str, str] = {"source.*": "source", "tag.*": "tag"}
EVENT_TYPES: tuple[str, ...] = (*POST_TYPES, *FAMILY_TYPES)
# The object types whose events may become deliveries (the triggers' WHEN).
SUBJECT_TYPES: tuple[str, ...] = ("post", "source", "tag")
_TYPE_OF_ACTION = {action: name for name, action in POST_TYPES.items()}


def match(event_type: str) -> Match:
    """What ``event_type`` (one of EVENT_TYPES) matches."""
    if event_type in POST_TYPES:
        return Match("post", POST_TYPES[event_type])
    return Match(FAMILY_TYPES[event_type], None)


def type_of(action: str) -> str:
    """The webhook type an event's action is sent as."""
    return _TYPE_OF_ACTION.get(action, action)
