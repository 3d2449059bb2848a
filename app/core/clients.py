"""Who a client is, for limits, without storing its address."""

import hashlib
import hmac

from fastapi import Request

from app.core.db import Database
from app.core.keys import CLIENT_HASH_KEY, DatabaseKey


class ClientKeys:
    """Keyed hashes of client addresses: with the configured key, else the database's own.

    Without a secret key, a stored hash could be reversed by hashing every IPv4 address. The
    database's key is read on first use, once per process; every process on the same
    database reads the same one, so their hashes agree (likes, failed authentications)."""

    def __init__(self, database: Database, configured: str) -> None:
        self._key = DatabaseKey(database, CLIENT_HASH_KEY, configured)

    async def key(self) -> bytes:
        return await self._key.value()

    async def of(self, request: Request) -> str:
        """A keyed hash of the request's client address (the proxy's view, with uvicorn's
        proxy_headers)."""
        address = request.client.host if request.client else "unknown"
        return hmac.new(await self.key(), address.encode(), hashlib.sha256).hexdigest()


async def client_key(request: Request) -> str:
    """The request's client, as the app's ``ClientKeys`` hash it."""
    keys: ClientKeys = request.app.state.client_keys
    return await keys.of(request)
