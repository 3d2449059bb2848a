"""Responses kept in memory, least recently used first out, within a byte budget."""

from collections import OrderedDict
from dataclasses import dataclass, field

from app.derived.content_version import Freshness

Headers = list[tuple[bytes, bytes]]
CacheKey = tuple[str, bytes, str, bytes]


@dataclass(slots=True)
class CachedResponse:
    # Made at this; current while the content version is the same.
    freshness: Freshness
    etag: bytes
    last_modified: float
    headers: Headers
    body: bytes
    # The route that made it, so metrics and logs name the operation of a cached answer too.
    route: object = None
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


class ResponseStore:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, entry: CachedResponse) -> None:
        if entry.size > self.max_bytes:
            return
        self._discard(key)
        self._entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size

    def _discard(self, key: CacheKey) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
