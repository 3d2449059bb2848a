"""Compression of every response the response cache does not compress itself.

Placed outside ``HeadAsGet`` and the response cache: it reads ``Accept-Encoding`` once per
request and leaves the answer on the scope (``ACCEPTED``), where the cache takes it to send
the representation it keeps for that coding (app.caching.middleware), compressed once per
entry. What comes back already negotiated (with ``Vary: Accept-Encoding``) or already encoded
passes as it is; anything else of a text type with a known length (writes' bodies, errors,
the OpenAPI document, the docs' scripts) is compressed here when it is large, on a worker
thread when compressing could take more than a millisecond.

Left alone: a streamed body (an export download, sent as it is made, of no length known
beforehand), media, 1xx/204/304 responses, and a HEAD's answer, which is the identity
representation's (its headers, its length, its ETag): a HEAD has no body to compress, and
compressing a GET's body only to measure it would cost what the HEAD saves.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.compression.codecs import choose, compressible, encode, encoded_headers, with_vary
from app.compression.negotiation import IDENTITY, Accepted, accepted
from app.core.representations import variant_etag

# The scope key under which the request's accepted coding is left for the response cache.
ACCEPTED = "presseschau.accepted"


class Compression:
    def __init__(self, app: ASGIApp, *, min_bytes: int) -> None:
        self.app = app
        self.min_bytes = min_bytes

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

        async def compressing(message: Message) -> None:
            nonlocal held, coding
            if message["type"] == "http.response.start":
                decided = self._decide(message, wanted, head)
                if decided is None:
                    await send(message)
                elif decided == "":
                    await send({**message, "headers": with_vary(message["headers"])})
                else:
                    held, coding = message, decided
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(parts)
            encoded = await encode(coding, body)
            headers = held["headers"]
            etag = next((value for name, value in headers if name == b"etag"), None)
            await send(
                {
                    **held,
                    "headers": encoded_headers(
                        headers,
                        coding,
                        len(encoded),
                        None if etag is None else variant_etag(etag, coding),
                    ),
                }
            )
            await send({"type": "http.response.body", "body": encoded})

        await self.app(scope, receive, compressing)

    def _decide(self, start: Message, wanted: Accepted, head: bool) -> str | None:
        """None: pass the response as it is; "": add Vary only; else the coding to use."""
        status = start["status"]
        if status < 200 or status in (204, 304):
            return None
        content_type = length = None
        for name, value in start["headers"]:
            if name == b"content-encoding":
                return None  # encoded already (media, or the response cache's variant)
            if name == b"vary" and b"accept-encoding" in value.lower():
                return None  # negotiated inside (the response cache)
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
        if length is None or not compressible(content_type):
            return None
        if head:
            return ""
        try:
            size = int(length)
        except ValueError:
            return None
        return choose(wanted, size, self.min_bytes) or ""
