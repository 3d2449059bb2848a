"""HTTP caching for the API's GET responses, as one pure ASGI middleware.

Every GET 200 gets a strong ETag (of its bytes, unless the app gave it one: a writer's read
of a post or source names its version) and answers If-None-Match / If-Modified-Since with 304.
Anonymous responses are public: they get ``Cache-Control: public, ...`` for CDNs and browsers,
and are kept in memory here, keyed on scheme, host, path and query, for as long as the content
version they were made at is current (see ``state``). A request that finds a current entry is
answered without routing, validation, a thread hop or a query beyond the version check.
Responses to requests with a token are ``private, no-store`` and never kept. A response that
states its own ``Cache-Control`` (a preview, ``no-store``) passes as it is: never kept, never
made public, whoever asked.

Compressed representations (app.compression) are made here for every 200 of a text type: the
request's accepted coding is on the scope (``ACCEPTED``, read by the compression middleware
outside), a kept entry compresses its body once per coding, when first asked for, and keeps
it beside the identity body (counted in the cache's budget), so a hot read compressed costs
what one uncompressed does. Each representation has its own ETag (``"x-gz"`` beside
``"x"``), and If-None-Match is compared with the one that would be sent.
"""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching.probe import ContentVersionProbe
from app.caching.store import CachedResponse, CacheKey, Headers, ResponseStore, Variant
from app.caching.validators import Conditions, last_modified_header, make_etag
from app.compression.codecs import choose, compressible, encode, encoded_headers, with_vary
from app.compression.middleware import ACCEPTED
from app.compression.negotiation import IDENTITY, Accepted
from app.core.representations import variant_etag
from app.derived.content_version import Freshness, request_freshness

PRIVATE = b"private, no-store"
VARY = (b"vary", b"Authorization")


class _Captured:
    """A buffered 200 response (start message and whole body), or None if passed through."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.body: list[bytes] = []
        self.complete = False


class HttpCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        public_cache_control: str,
        probe: ContentVersionProbe | None,
        store: ResponseStore | None,
        compress_min_bytes: int | None = None,
    ) -> None:
        """``compress_min_bytes``: the size from which a body is compressed (None: never)."""
        self.app = app
        self.compress_min_bytes = compress_min_bytes
        self.prefix = prefix
        self.public = public_cache_control.encode("ascii")
        self.probe = probe
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        conditions = Conditions.of(scope["headers"])
        if conditions.authorized:
            await self._respond(scope, receive, send, conditions, None, None, None)
            return
        freshness = await self.probe.current() if self.probe is not None else None
        key: CacheKey = (scope["scheme"], conditions.host, scope["path"], scope["query_string"])
        kept = None
        if freshness is not None and self.store is not None:
            kept = self.store.get(key)
            if kept is not None and kept.freshness == freshness:
                scope["route"] = kept.route
                await self._send_entry(send, key, kept, conditions, scope.get(ACCEPTED, IDENTITY))
                return
        known = request_freshness.set(freshness)
        try:
            await self._respond(scope, receive, send, conditions, freshness, key, kept)
        finally:
            request_freshness.reset(known)

    async def _respond(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        conditions: Conditions,
        freshness: Freshness | None,
        key: CacheKey | None,
        previous: CachedResponse | None,
    ) -> None:
        """Run the app; a complete 200 is given its validators (and kept, when public,
        in place of ``previous``, the outdated entry under the same key)."""
        captured = _Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Only whole, sized responses are buffered; anything streamed, or whose
                # caching its operation decided, passes as it is.
                headers = message["headers"]
                if message["status"] == 200 and _has_length(headers) and _cacheable(headers):
                    captured.start = message
                    return
            elif captured.start is not None and message["type"] == "http.response.body":
                captured.body.append(message.get("body", b""))
                captured.complete = not message.get("more_body", False)
                return
            await send(message)

        await self.app(scope, receive, capture)
        if captured.start is None or not captured.complete:
            return
        body = b"".join(captured.body)
        headers: Headers = captured.start["headers"]
        # A writer's read names the resource's version itself (app.core.preconditions): that
        # is the ETag its If-Match is compared with, so it is kept.
        own = next((value for name, value in headers if name == b"etag"), None)
        etag = make_etag(body) if own is None else own
        base: Headers = [
            *(headers if own is None else [(n, v) for n, v in headers if n != b"etag"]),
            (b"etag", etag),
            (b"cache-control", PRIVATE if key is None else self.public),
            VARY,
        ]
        negotiable = self.compress_min_bytes is not None and _negotiable(headers)
        if negotiable:
            base = with_vary(base)
        accepted = scope.get(ACCEPTED, IDENTITY)
        if key is not None and freshness is not None and self.store is not None:
            # The same bytes keep the date they were first seen with; other bytes get the
            # time of the change they were made after.
            changed_at = freshness.changed_at
            if previous is not None and previous.etag == etag:
                changed_at = previous.last_modified
            entry = CachedResponse(
                freshness=freshness,
                etag=etag,
                last_modified=changed_at,
                headers=base,
                # A copy of exactly its length: a body may sit in a larger buffer (orjson
                # over-allocates), which the entry would otherwise hold on to.
                body=bytes(memoryview(body)),
                route=scope.get("route"),
                negotiable=negotiable,
            )
            self.store.put(key, entry)
            await self._send_entry(send, key, entry, conditions, accepted)
            return
        # Not kept, so there is no change time to date it by: ETag alone validates it. A
        # version names what a writer edits, not these bytes (a like, a source's new name
        # change them and not it): it is never a reason for a 304.
        validating = conditions if own is None else Conditions()
        coding = self._coding(negotiable, accepted, len(body))
        if coding is None:
            await _send(send, base, body, etag, validating, None)
            return
        coded_etag = variant_etag(etag, coding)
        if validating.not_modified(coded_etag, None):
            await _send_not_modified(send, encoded_headers(base, coding, 0, coded_etag))
            return
        coded = await encode(coding, body)
        headers = encoded_headers(base, coding, len(coded), coded_etag)
        await _send(send, headers, coded, coded_etag, validating, None)

    def _coding(self, negotiable: bool, accepted: Accepted, size: int) -> str | None:
        if not negotiable or self.compress_min_bytes is None:
            return None
        return choose(accepted, size, self.compress_min_bytes)

    async def _send_entry(
        self,
        send: Send,
        key: CacheKey,
        entry: CachedResponse,
        conditions: Conditions,
        accepted: Accepted,
    ) -> None:
        """``entry`` in the representation ``accepted`` asks for, compressed at most once."""
        coding = self._coding(entry.negotiable, accepted, len(entry.body))
        if coding is None:
            await _send(
                send, entry.headers, entry.body, entry.etag, conditions, entry.last_modified
            )
            return
        variant = entry.variants.get(coding)
        if variant is None:
            etag = variant_etag(entry.etag, coding)
            if conditions.not_modified(etag, _dated(entry.last_modified)):
                # The client holds this representation: no need to make it to say so.
                headers = encoded_headers(entry.headers, coding, 0, etag)
                await _send(send, headers, b"", etag, conditions, entry.last_modified)
                return
            coded = await encode(coding, entry.body)
            headers = encoded_headers(entry.headers, coding, len(coded), etag)
            variant = Variant(etag, headers, coded)
            if self.store is not None:
                self.store.add_variant(key, entry, coding, variant)
        await _send(
            send, variant.headers, variant.body, variant.etag, conditions, entry.last_modified
        )


def _negotiable(headers: Headers) -> bool:
    """A body of a text type, not encoded already: it has compressed representations."""
    content_type = None
    for name, value in headers:
        if name == b"content-encoding":
            return False
        if name == b"content-type":
            content_type = value
    return compressible(content_type)


def _dated(changed_at: float) -> float | None:
    """The time behind the Last-Modified a response dated ``changed_at`` is sent with."""
    return changed_at if last_modified_header(changed_at, time.time()) is not None else None


async def _send(
    send: Send,
    headers: Headers,
    body: bytes,
    etag: bytes,
    conditions: Conditions,
    changed_at: float | None,
) -> None:
    last_modified = None if changed_at is None else last_modified_header(changed_at, time.time())
    if last_modified is not None:
        headers = [*headers, (b"last-modified", last_modified)]
    if conditions.not_modified(etag, None if last_modified is None else changed_at):
        await _send_not_modified(send, headers)
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_not_modified(send: Send, headers: Headers) -> None:
    kept = [(name, value) for name, value in headers if name in _KEPT_ON_304]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b""})


# RFC 9110 § 15.4.5: a 304 carries the headers a 200 would have for caches to update.
_KEPT_ON_304 = frozenset((b"etag", b"cache-control", b"vary", b"last-modified"))


def _has_length(headers: Headers) -> bool:
    return any(name == b"content-length" for name, _ in headers)


def _cacheable(headers: Headers) -> bool:
    """Whether caching is left to this middleware: the operation set no Cache-Control."""
    return not any(name == b"cache-control" for name, _ in headers)
