"""Compressed bodies of the docs' static files, kept so that each is compressed once.

The Swagger UI and ReDoc bundles are over a megabyte each: compressing one takes tens of
milliseconds of CPU, which an anonymous client could otherwise ask for again and again. A
static file's ETag names its bytes (its size and time), so the compressed body of a path, an
ETag and a coding stays right for as long as that ETag is sent. API responses never come here:
the response cache keeps theirs (app.caching), and a version ETag ("v7") names no bytes.
"""

from collections import OrderedDict
from typing import NamedTuple


class KeptKey(NamedTuple):
    path: str
    etag: bytes
    coding: str


class KeptBodies:
    """Compressed bodies by path, ETag and coding, least recently used first out, within a
    budget of ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._bodies: OrderedDict[KeptKey, bytes] = OrderedDict()

    def get(self, key: KeptKey) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def put(self, key: KeptKey, body: bytes) -> None:
        if len(body) > self.max_bytes or key in self._bodies:
            return
        self._bodies[key] = body
        self.bytes += len(body)
        while self.bytes > self.max_bytes:
            _, evicted = self._bodies.popitem(last=False)
            self.bytes -= len(evicted)
