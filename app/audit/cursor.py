"""The audit log's cursors: the last id a page showed, sealed (app.core.cursors)."""

from fastapi import Request

from app.core import cursors
from app.core.text import MAX_ID

_PURPOSE = b"presseschau audit cursor"
_ID_BYTES = 4


async def audit_cursor_key(request: Request) -> bytes:
    """The key of the audit log's cursors in the app ``request`` is for."""
    return await cursors.request_key(request, _PURPOSE)


def encode(last_id: int, key: bytes) -> str:
    return cursors.seal(last_id.to_bytes(_ID_BYTES, "big"), key)


def decode(cursor: str, key: bytes) -> int:
    """The id a cursor this server made stops before; InvalidInput for anything else."""
    payload = cursors.unseal(cursor, key)
    if len(payload) != _ID_BYTES:
        raise cursors.refused()
    last_id = int.from_bytes(payload, "big")
    if not 1 <= last_id <= MAX_ID:
        raise cursors.refused()
    return last_id
