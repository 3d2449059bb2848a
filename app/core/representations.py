"""What a compressed representation's ETag is called, known below the HTTP layer too.

A response compressed with a content coding has other bytes than its identity form, so
another strong ETag (RFC 9110 § 8.8.3): the identity ETag with a suffix inside its quotes
(``"v7"`` sent gzipped is ``"v7-gz"``). A writer that read the gzipped form sends that back in
``If-Match``; it names the same version of the resource (app.core.preconditions).
"""

ETAG_SUFFIXES: dict[str, str] = {"gzip": "-gz", "br": "-br", "zstd": "-zst"}


def variant_etag(etag: bytes, coding: str) -> bytes:
    """``"abc"`` as ``"abc-gz"`` for gzip (a weak ``W/"abc"`` stays weak)."""
    return etag[:-1] + ETAG_SUFFIXES[coding].encode("ascii") + b'"'


def identity_opaque(opaque: str) -> str:
    """The opaque part of the identity ETag that ``opaque`` names (itself if not coded)."""
    for suffix in ETAG_SUFFIXES.values():
        if opaque.endswith(suffix):
            return opaque[: -len(suffix)]
    return opaque
