"""Opaque, tamper-proof cursors: where the next page of the log starts.

A cursor is the last id a page showed with an HMAC of it, in base64url. It says nothing a
client should build on, and one changed by hand is refused instead of paging from wherever it
points. The key is derived from the instance's key (app.core.keys), so every process on the
database accepts the cursors of every other.
"""

import base64
import binascii
import hashlib
import hmac

from app.core.errors import InvalidInput
from app.core.text import MAX_ID

_PURPOSE = b"presseschau audit cursor"
_ID_BYTES = 4
_MAC_BYTES = 16


def cursor_key(instance_key: bytes) -> bytes:
    """A key of its own for cursors, so that no other use of the instance key can make one."""
    return hmac.new(instance_key, _PURPOSE, hashlib.sha256).digest()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode(last_id: int, key: bytes) -> str:
    payload = last_id.to_bytes(_ID_BYTES, "big")
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode()


def decode(cursor: str, key: bytes) -> int:
    """The id a cursor this server made stops before; InvalidInput for anything else."""
    refused = InvalidInput(
        "cursor: not a cursor this server gave out; use a page's next_cursor as it is, "
        "or start again without one."
    )
    try:
        padded = cursor.encode("ascii") + b"=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise refused from None
    payload, mac = raw[:_ID_BYTES], raw[_ID_BYTES:]
    # The last character carries bits the bytes do not use: only the spelling this server
    # writes is its cursor, so no two cursors stand for one.
    canonical = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == cursor
    if (
        not canonical
        or len(raw) != _ID_BYTES + _MAC_BYTES
        or not hmac.compare_digest(mac, _mac(key, payload))
    ):
        raise refused
    last_id = int.from_bytes(payload, "big")
    if not 1 <= last_id <= MAX_ID:
        raise refused
    return last_id
