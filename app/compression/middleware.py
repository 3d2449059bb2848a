"""Compression of every response the response cache does not compress itself.

Placed outside ``HeadAsGet`` and the response cache: it reads ``Accept-Encoding`` once per
request and leaves the answer on the scope (``ACCEPTED``), where the cache takes it to send
the representation it keeps for that coding (app.caching.middleware), compressed once per
entry. What comes back already negotiated (with ``Vary: Accept-Encoding``) or already encoded
passes as it is; anything else of a text type with a known length (writes' bodies, errors,
the OpenAPI document, the docs' scripts) is compressed here when it is large, on a worker
thread when compressing could take more than a millisecond. The docs' static files keep their
compressed bodies (app.compression.kept), and a client holding one of their compressed
representations' ETag gets a 304 before anything is compressed.

Left alone: a streamed body (an export download, sent as it is made, of no length known
beforehand), a body over ``MAX_BYTES`` (held in memory whole to compress it, which a bound
keeps cheap), a part of a body (206: its range is of the identity bytes), media,
1xx/204/304 responses, and a HEAD's answer, which is the identity representation's (its
headers, its length, its ETag): a HEAD has no body to compress, and compressing a GET's body
only to measure it would cost what the HEAD saves.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching.validators import Conditions
from app.compression.codecs import choose, compressible, encode, encoded_headers, with_vary
from app.compression.kept import KeptBodies, KeptKey
from app.compression.negotiation import IDENTITY, Accepted, accepted
from app.core.representations import variant_etag

# The scope key under which the request's accepted coding is left for the response cache.
ACCEPTED = "presseschau.accepted"

# The largest body compressed here: larger than every page, document and docs file the app
# sends; a body over it is sent as it is rather than held in memory whole.
MAX_BYTES = 4 * 1024 * 1024

# Memory for the docs' compressed static files: their three bundles in all three codings
# take about 2.3 MB.
KEPT_BYTES = 4 * 1024 * 1024

# RFC 9110 § 15.4.5: a 304 carries the headers a 200 would have for caches to update.
_KEPT_ON_304 = frozenset((b"etag", b"cache-control", b"vary", b"last-modified", b"expires"))


class Compression:
    def __init__(self, app: ASGIApp, *, min_bytes: int, kept_paths: tuple[str, ...] = ()) -> None:
        """``kept_paths``: the prefixes of static files, whose compressed bodies are kept."""
        self.app = app
        self.min_bytes = min_bytes
        self.kept_paths = kept_paths
        self.kept = KeptBodies(KEPT_BYTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        wanted = IDENTITY if head else accepted(scope["headers"])
        scope[ACCEPTED] = wanted
        held: Message | None = None
        coding = ""
        parts: list[bytes] = []
        answered = False  # a 304 or a kept body was sent in place of the app's

        async def compressing(message: Message) -> None:
            nonlocal held, coding, answered
            if answered:
                return  # the rest of the app's body, which is no longer wanted
            if message["type"] == "http.response.start":
                decided = self._decide(message, wanted, head)
                if decided is None:
                    await send(message)
                elif decided == "":
                    await send({**message, "headers": with_vary(message["headers"])})
                else:
                    held, coding = message, decided
                    answered = await self._answer_early(scope, send, message, coding)
                return
            if held is None:
                await send(message)
                return
            if message["type"] != "http.response.body":
                # A file to be sent by the server itself (ASGI's pathsend): not compressed.
                await send({**held, "headers": with_vary(held["headers"])})
                held = None
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(parts)
            encoded = await encode(coding, body)
            headers = held["headers"]
            etag = _etag(headers)
            if etag is not None and self._keeps(scope):
                self.kept.put(KeptKey(scope["path"], etag, coding), encoded)
            coded_etag = None if etag is None else variant_etag(etag, coding)
            coded_headers = encoded_headers(headers, coding, len(encoded), coded_etag)
            await send({**held, "headers": coded_headers})
            await send({"type": "http.response.body", "body": encoded})

        await self.app(scope, receive, compressing)

    async def _answer_early(self, scope: Scope, send: Send, start: Message, coding: str) -> bool:
        """Answers with a 304 when the client holds the ``coding`` representation, or with its
        kept body; True if it did (so the app's body is not needed)."""
        etag = _etag(start["headers"])
        if etag is None or not self._keeps(scope):
            # Only a static file's ETag names its bytes: a version ETag ("v7", a preview's)
            # names what a writer edits, never a reason for a 304 (app.caching.middleware).
            return False
        coded_etag = variant_etag(etag, coding)
        if Conditions.of(scope["headers"]).not_modified(coded_etag, None):
            headers = encoded_headers(start["headers"], coding, 0, coded_etag)
            kept = [(name, value) for name, value in headers if name in _KEPT_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return True
        body = self.kept.get(KeptKey(scope["path"], etag, coding))
        if body is None:
            return False
        headers = encoded_headers(start["headers"], coding, len(body), coded_etag)
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    def _keeps(self, scope: Scope) -> bool:
        path: str = scope["path"]
        return scope["method"] == "GET" and path.startswith(self.kept_paths)

    def _decide(self, start: Message, wanted: Accepted, head: bool) -> str | None:
        """None: pass the response as it is; "": add Vary only; else the coding to use."""
        status = start["status"]
        if status < 200 or status in (204, 304):
            return None
        content_type = length = None
        ranged = status == 206
        for name, value in start["headers"]:
            if name == b"content-encoding":
                return None  # encoded already (media, or the response cache's variant)
            if name == b"vary" and b"accept-encoding" in value.lower():
                return None  # negotiated inside (the response cache)
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
            elif name == b"content-range":
                ranged = True
        if length is None or not compressible(content_type):
            return None
        if head or ranged:
            return ""
        try:
            size = int(length)
        except ValueError:
            return None
        if size > MAX_BYTES:
            return ""
        return choose(wanted, size, self.min_bytes) or ""


def _etag(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    return next((value for name, value in headers if name == b"etag"), None)
