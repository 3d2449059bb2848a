"""Lost-update protection: a write's If-Match against the version of what it changes.

A post's or source's version (``app.derived.versions``) is given to writers as a strong
ETag, ``"v7"``; clients treat it as opaque. A write sends it back in ``If-Match`` (RFC 9110
§ 13.1.1) and the service compares it with the row's current version after locking the row,
inside the write's transaction (``check_version``): a write made from an older read is
refused with 412 and changes nothing, so two editors who read the same version cannot both
write over it.

``If-Match`` is a list of entity tags or ``*``; a weak tag (``W/"v7"``) never matches, as
strong comparison requires. A header that is no such list is a condition that no version
meets: 412, as RFC 9110 has it, whose body names the current version to retry with. No
``If-Match`` (or ``*``) writes whatever the version, unless the setting ``require_if_match``
is on: then a write without it is refused with 428.

The HTTP layer makes a ``Precondition`` of the request (``app.core.deps.IfMatch``); a bulk
operation with an ETag per item compares each with ``etag_matches``.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from app.core.errors import PreconditionFailed, PreconditionRequired
from app.core.representations import identity_opaque

# Longest list of entity tags read: a client has no use for more, and parsing stays cheap.
IF_MATCH_MAX_CHARS = 4096


T = TypeVar("T")


class Versioned(NamedTuple, Generic[T]):
    """A resource as a write or a writer's read gives it, and its version for the ETag."""

    item: T
    version: int


class EntityTag(NamedTuple):
    opaque: str  # between the quotes
    weak: bool


def version_etag(version: int) -> str:
    """The strong ETag a writer is given for ``version``."""
    return f'"v{version}"'


@dataclass(frozen=True, slots=True)
class Precondition:
    """What a write's ``If-Match`` asks. ``tags`` is None without the header; ``any`` for
    ``*``; ``malformed`` for a header that is no list of entity tags (matches nothing);
    ``required``: a write without the header is refused (``require_if_match``)."""

    tags: tuple[EntityTag, ...] | None = None
    any: bool = False
    malformed: bool = False
    required: bool = False

    @property
    def given(self) -> bool:
        return self.tags is not None or self.any or self.malformed

    def matches(self, version: int) -> bool:
        """Whether a write may go ahead on ``version`` (by strong comparison)."""
        if self.any or not self.given:
            return True
        wanted = version_etag(version)[1:-1]
        # A compressed read's ETag names the same version (app.core.representations).
        return any(
            not tag.weak and identity_opaque(tag.opaque) == wanted for tag in self.tags or ()
        )


def etag_matches(etag: str, version: int) -> bool:
    """Whether one item's ETag (as a bulk request gives it per item: a tag, a list of them
    or ``*``) lets a write go ahead on ``version``."""
    return parse_if_match([etag]).matches(version)


# No precondition: what writes that never need one (creations) and internal callers pass.
UNCONDITIONAL = Precondition()


def parse_if_match(values: Sequence[str], *, required: bool = False) -> Precondition:
    """The precondition of the ``If-Match`` field lines ``values`` (none: no header)."""
    if not values:
        return Precondition(required=required)
    text = ", ".join(values)
    if len(text) > IF_MATCH_MAX_CHARS:
        return Precondition(malformed=True, required=required)
    if text.strip(" \t") == "*":
        return Precondition(any=True, required=required)
    tags = _entity_tags(text)
    if tags is None:
        return Precondition(malformed=True, required=required)
    return Precondition(tags=tags, required=required)


def _entity_tags(text: str) -> tuple[EntityTag, ...] | None:
    """``#entity-tag`` (RFC 9110 § 8.8.3, § 5.6.1): tags separated by commas and optional
    white space, empty elements allowed; None if ``text`` is not such a list. One pass over
    the characters, so no input costs more than its length."""
    tags: list[EntityTag] = []
    position, end = 0, len(text)
    while position < end:
        character = text[position]
        if character in " \t,":
            position += 1
            continue
        weak = text.startswith("W/", position)
        if weak:
            position += 2
        if position >= end or text[position] != '"':
            return None
        closing = text.find('"', position + 1)
        if closing < 0:
            return None
        opaque = text[position + 1 : closing]
        # etagc: "!" or "#" to "~", or obs-text; no quote, space or control character.
        if any(not (c == "!" or "#" <= c <= "~" or c >= "\x80") for c in opaque):
            return None
        tags.append(EntityTag(opaque, weak))
        position = closing + 1
        # What follows a tag is white space, then a comma or the end.
        while position < end and text[position] in " \t":
            position += 1
        if position < end and text[position] != ",":
            return None
    if not tags:
        return None
    return tuple(tags)


def check_version(precondition: Precondition, version: int, *, current: Callable[[], Any]) -> None:
    """Refuse a write whose precondition the row's ``version`` does not meet: 428 when one
    is required and none was sent, 412 when it does not match, with ``current()``, the
    resource as a read gives it now (built only then). Call it inside the write's
    transaction, after locking the row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
    write transaction holds the database) and after the checks that the caller may see and
    change it, so a 412 tells no one of what they may not read."""
    if precondition.required and not precondition.given:
        raise PreconditionRequired(
            "This server requires If-Match on writes: send the ETag of your last read of "
            "this resource (GET it to have one), or * to write whatever its version."
        )
    if precondition.matches(version):
        return
    detail = (
        "If-Match could not be read as a list of entity tags; "
        if precondition.malformed
        else "The resource has changed since the version your If-Match names; "
    )
    raise PreconditionFailed(
        detail + f"it is now at {version_etag(version)}: merge your change into it and retry.",
        version=version,
        etag=version_etag(version),
        current=current(),
    )
