"""Opaque, tamper-proof cursors: a small payload with an HMAC of it, in base64url.

A cursor says nothing a client should build on, and one changed by hand is refused instead of
paging from wherever it points. Each kind of cursor (the audit log's, the post lists') has a
key of its own, derived from the instance's key (app.core.keys) and the kind's purpose, so
every process on the database accepts the cursors of every other, and a cursor of one kind
is never taken for another.
"""

import base64
import binascii
import hashlib
import hmac

from fastapi import Request

from app.core.clients import ClientKeys
from app.core.errors import InvalidInput
from app.core.pagination import PageParams

_MAC_BYTES = 16


def cursor_key(instance_key: bytes, purpose: bytes) -> bytes:
    """A key of its own for one kind of cursor, so no other use of the instance key (and no
    other kind of cursor) can make one."""
    return hmac.new(instance_key, purpose, hashlib.sha256).digest()


async def request_key(request: Request, purpose: bytes) -> bytes:
    """The key of one kind of cursor in the app ``request`` is for."""
    keys: ClientKeys = request.app.state.client_keys
    return cursor_key(await keys.key(), purpose)


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def seal(payload: bytes, key: bytes) -> str:
    """``payload`` as a cursor: itself and its MAC, base64url without padding."""
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode()


def refused() -> InvalidInput:
    return InvalidInput(
        "cursor: not a cursor this server gave out; use a page's next_cursor as it is, "
        "or start again without one."
    )


def unseal(cursor: str, key: bytes) -> bytes:
    """The payload of a cursor ``seal`` made with ``key``; InvalidInput for anything else."""
    try:
        padded = cursor.encode("ascii") + b"=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise refused() from None
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    # The last character carries bits the bytes do not use: only the spelling this server
    # writes is its cursor, so no two cursors stand for one.
    canonical = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == cursor
    if not canonical or len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, _mac(key, payload)):
        raise refused()
    return payload


def check_without_page(paging: PageParams) -> None:
    """A cursor says where its page starts: with a page number too, the request is refused."""
    if "page" in paging.model_fields_set:
        raise InvalidInput("cursor: goes without page; a cursor says where its page starts.")


def other_sort(made_for: str, asked: str) -> InvalidInput:
    """The refusal of a cursor made for sort ``made_for`` given with sort ``asked``."""
    return InvalidInput(
        f"cursor: made for sort={made_for}, not sort={asked}; page on with the sort the "
        "cursor was made for, or start again without a cursor."
    )
