"""Preview links: a post's id and an expiry, signed with a key the database keeps, so a link
reads its one post until then without a token.

A link is checked from its own parts and the key this process holds: a forged or expired
one is refused before the database is asked anything. The signature is HMAC-SHA256 over the
id and the expiry, compared in constant time; changing either part, or moving a signature
to another post, breaks it.
"""

import base64
import hashlib
import hmac
import math
from datetime import UTC, datetime

from app.core.errors import Forbidden, Gone, InvalidInput
from app.core.keys import DatabaseKey

# The latest expiry a link's query may carry: the last second of the year 9999, the latest
# moment a datetime holds.
MAX_EXPIRES = 253_402_300_799


def signature(key: bytes, post_id: int, expires: int) -> str:
    """The signature of a link to ``post_id`` valid until ``expires`` (Unix seconds)."""
    message = f"post-preview:{post_id}:{expires}".encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def expires_at(expires: int) -> datetime:
    return datetime.fromtimestamp(expires, UTC)


def expiry(now: datetime, *, asked: int | None, longest: int) -> int:
    """When a link issued at ``now`` expires (Unix seconds): after ``asked`` seconds, or the
    longest a link lives; rounded up, so a link lives at least as long as asked."""
    if asked is not None and asked > longest:
        raise InvalidInput(f"expires_in: a preview link lives at most {longest} seconds here.")
    return math.ceil(now.timestamp() + (longest if asked is None else asked))


def check(key: bytes, *, post_id: int, expires: int, given: str, now: datetime) -> None:
    """Raise Forbidden unless ``given`` signs this post and expiry, Gone once it expired."""
    expected = signature(key, post_id, expires).encode("ascii")
    if not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        raise Forbidden(
            "This preview link is not valid: its signature does not match its post and expiry."
        )
    if expires <= now.timestamp():
        raise Gone(
            f"This preview link expired at {expires_at(expires).isoformat()}; ask for a new one."
        )


class PreviewLinks:
    """Signs and checks links with the database's preview key (read once per process)."""

    def __init__(self, key: DatabaseKey) -> None:
        self._key = key

    async def sign(self, post_id: int, expires: int) -> str:
        return signature(await self._key.value(), post_id, expires)

    async def check(self, *, post_id: int, expires: int, given: str, now: datetime) -> None:
        check(await self._key.value(), post_id=post_id, expires=expires, given=given, now=now)
