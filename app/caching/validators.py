"""Validators (ETag, Last-Modified) and the conditional-request rules of RFC 9110 § 13."""

import base64
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache

import xxhash

# Last-Modified has whole seconds. A response is given one only once its change is this many
# seconds old, so a later change can never fall in the same second as a date a client holds;
# ETag, exact for every change, is the validator that matters.
SETTLED_SECONDS = 2.0


def make_etag(body: bytes) -> bytes:
    """A strong ETag from the bytes themselves: it changes exactly when the response does.

    XXH3 (120 of its 128 bits) tells responses apart as surely as a cryptographic hash would
    for this purpose, at a small fraction of the cost: hashing a 140 KB list with SHA-1 took
    as long as building it."""
    digest = xxhash.xxh3_128_digest(body)[:15]
    return b'"' + base64.urlsafe_b64encode(digest) + b'"'


@lru_cache(maxsize=1024)
def http_date(seconds: int) -> bytes:
    return formatdate(seconds, usegmt=True).encode("ascii")


def last_modified_header(changed_at: float, now: float) -> bytes | None:
    return http_date(int(changed_at)) if now - changed_at >= SETTLED_SECONDS else None


@dataclass(slots=True)
class Conditions:
    """The parts of a GET request that caching looks at, read in one pass over its headers."""

    host: bytes = b""
    authorized: bool = False
    if_none_match: bytes | None = None
    if_modified_since: bytes | None = None

    @classmethod
    def of(cls, headers: list[tuple[bytes, bytes]]) -> "Conditions":
        conditions = cls()
        for name, value in headers:
            if name == b"host":
                conditions.host = value
            elif name == b"authorization":
                conditions.authorized = True
            elif name == b"if-none-match":
                conditions.if_none_match = value
            elif name == b"if-modified-since":
                conditions.if_modified_since = value
        return conditions

    def not_modified(self, etag: bytes, modified_at: float | None) -> bool:
        """True when a 304 answers the request: If-None-Match first, else If-Modified-Since
        (``modified_at`` is the time behind the Last-Modified sent, or None if none was)."""
        if self.if_none_match is not None:
            return _etag_matches(self.if_none_match, etag)
        if self.if_modified_since is not None and modified_at is not None:
            since = _parse_date(self.if_modified_since)
            return since is not None and int(modified_at) <= since
        return False


def _etag_matches(header: bytes, etag: bytes) -> bool:
    if header.strip() == b"*":
        return True
    # Weak comparison, as GET asks for: W/"x" matches "x".
    for candidate in header.split(b","):
        candidate = candidate.strip()
        if candidate.startswith(b"W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def _parse_date(value: bytes) -> float | None:
    try:
        return parsedate_to_datetime(value.decode("latin-1")).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
