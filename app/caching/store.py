"""Responses kept in memory, least recently used first out, within a byte budget."""

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from app.derived.content_version import Freshness

Headers = list[tuple[bytes, bytes]]
CacheKey = tuple[str, bytes, str, bytes]


class Variant(NamedTuple):
    """An entry's body in one content coding, with its own headers and ETag."""

    etag: bytes
    headers: Headers
    body: bytes


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
    # Whether a compressed representation may be sent (a text body, not encoded already).
    negotiable: bool = False
    # The body compressed, by coding, made when first asked for (app.compression).
    variants: dict[str, Variant] = field(default_factory=dict)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = len(self.body) + _headers_size(self.headers)


def _headers_size(headers: Headers) -> int:
    return sum(len(name) + len(value) for name, value in headers)


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

    def add_variant(
        self, key: CacheKey, entry: CachedResponse, coding: str, variant: Variant
    ) -> None:
        """Keeps ``variant`` with ``entry``, counted in the budget like the entry's own body,
        if ``entry`` is still the one kept under ``key`` (it was made while others ran)."""
        if self._entries.get(key) is not entry or coding in entry.variants:
            return
        added = len(variant.body) + _headers_size(variant.headers)
        entry.variants[coding] = variant
        entry.size += added
        self.bytes += added
        self._entries.move_to_end(key)
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size

    def _discard(self, key: CacheKey) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
