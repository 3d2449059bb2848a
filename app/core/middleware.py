"""Request ids, access logs and security headers, as one pure ASGI middleware."""

import logging
import random
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import unexpected_error_response
from app.core.logging import request_id, write_access_line
from app.core.metrics import observe_request, operation_of
from app.events.actor import ANONYMOUS, current_actor

error_log = logging.getLogger("presseschau")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# Swagger UI is a page with its own (local) scripts and styles.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
# Encoded once: these are added to every response, so the per-request cost is one extend.
_API_HEADERS = [(name.lower().encode(), value.encode()) for name, value in API_HEADERS.items()]
_DOCS_HEADERS = [
    (name, DOCS_CSP.encode() if name == b"content-security-policy" else value)
    for name, value in _API_HEADERS
]


class RequestContext:
    def __init__(self, app: ASGIApp, *, docs_paths: tuple[str, ...], access_log: bool) -> None:
        self.app = app
        self.docs_paths = docs_paths
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        # An id only has to be unique, not unguessable: no system call for it.
        rid = incoming if _VALID_ID.match(incoming) else f"{random.getrandbits(128):032x}"
        token = request_id.set(rid)
        # Until a valid token says otherwise (app.auth.dependencies), a request's writes are
        # anonymous, whatever context the server itself was started in.
        actor = current_actor.set(ANONYMOUS)
        started = time.perf_counter()
        status = 500
        started_response = False
        extra = _DOCS_HEADERS if scope["path"].startswith(self.docs_paths) else _API_HEADERS

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                # No route sets any of these, so they are added, not merged.
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", rid.encode("latin-1")),
                    *extra,
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # The one place unexpected errors end: logged with their traceback, answered
            # with a problem body that shows nothing of the internals.
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not started_response:
                await unexpected_error_response()(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            observe_request(scope["method"], operation_of(scope.get("route")), status, elapsed)
            if self.access_log:
                write_access_line(
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
            current_actor.reset(actor)
            request_id.reset(token)
