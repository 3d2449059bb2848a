"""The content codings themselves, what is worth compressing, and what a compressed
representation is called (its ETag, its headers).

Levels favour speed: a body is compressed once per cache entry and coding, but a private read
or an error pays it on every request. A 20-post list page of the benchmark's dataset
(137,581 bytes) becomes 16,542 bytes with zlib's level 6 in 4.0 ms, 16,068 with Brotli's
quality 4 in 1.5 ms and 16,768 with zstd's level 3 in 0.34 ms (docs/compression.md).
"""

import zlib
from collections.abc import Callable

import anyio.to_thread
import brotli
import zstandard

from app.compression.negotiation import Accepted

Headers = list[tuple[bytes, bytes]]

# A body larger than this is compressed on a worker thread: compressing it could take more
# than a millisecond, which the event loop's other requests would wait. (All three release
# the GIL while they work.)
OFF_LOOP_BYTES = 16 * 1024


def _gzip(body: bytes) -> bytes:
    # wbits 31: the gzip container, with no file name and a zero time, so the same body
    # always gives the same bytes (and so the same ETag).
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


def _brotli(body: bytes) -> bytes:
    return brotli.compress(body, quality=4)


def _zstandard(body: bytes) -> bytes:
    # A new context each time: one ZstdCompressor is not safe across threads. Its result
    # sits in a buffer of the worst case's size (about the input's); a copy of its own
    # length is what a cache entry keeps.
    return bytes(memoryview(zstandard.ZstdCompressor(level=3).compress(body)))


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gzip,
    "br": _brotli,
    "zstd": _zstandard,
}

_TEXT_TYPES = frozenset(
    (
        b"application/json",
        b"application/xml",
        b"application/javascript",
        b"application/x-ndjson",
        b"image/svg+xml",
    )
)


async def encode(coding: str, body: bytes) -> bytes:
    """``body`` in ``coding``; off the event loop when it is large."""
    encoder = ENCODERS[coding]
    if len(body) > OFF_LOOP_BYTES:
        return await anyio.to_thread.run_sync(encoder, body)
    return encoder(body)


def compressible(content_type: bytes | None) -> bool:
    """Text of some kind (JSON, problem details, XML feeds, HTML): images, archives and
    other media are compressed already, or too rarely worth it."""
    if content_type is None:
        return False
    media = content_type.split(b";", 1)[0].strip().lower()
    return media.startswith(b"text/") or media in _TEXT_TYPES or media.endswith((b"+json", b"+xml"))


def choose(accepted: Accepted, size: int, min_bytes: int) -> str | None:
    """The coding to send a body of ``size`` bytes in (None: as it is)."""
    if accepted.coding is None or size == 0:
        return None
    if size >= min_bytes or not accepted.identity:
        return accepted.coding
    return None


VARY_VALUE = b"Accept-Encoding"


def with_vary(headers: Headers) -> Headers:
    """``headers`` with Accept-Encoding among the Vary field's names (merged into the one
    there is: another layer may have named Origin or Authorization)."""
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            if b"accept-encoding" in value.lower() or value.strip() == b"*":
                return headers
            merged = [*headers]
            merged[index] = (name, value + b", " + VARY_VALUE)
            return merged
    return [*headers, (b"vary", VARY_VALUE)]


def encoded_headers(headers: Headers, coding: str, length: int, etag: bytes | None) -> Headers:
    """The headers of the ``coding`` representation of a response with ``headers``: its
    length, its coding, its ETag (when there is one), and Vary."""
    # Ranges are served of the identity bytes only (a docs file's 206): not of these.
    replaced = (b"content-length", b"etag", b"content-encoding", b"accept-ranges")
    kept = [(name, value) for name, value in headers if name not in replaced]
    kept.append((b"content-length", str(length).encode("latin-1")))
    kept.append((b"content-encoding", coding.encode("latin-1")))
    if etag is not None:
        kept.append((b"etag", etag))
    return with_vary(kept)
