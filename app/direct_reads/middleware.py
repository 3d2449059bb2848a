"""The direct reads as a pure ASGI middleware, inside the response cache and in front of the
framework's stack (any error it lets through becomes the request context's 500 problem).

A GET without a token that ``routing`` recognises is answered here; everything else, and any
read the database could not answer, goes on to the framework, which gives the same response
(or the problem details) the slow way. The matched route is set on the scope as the framework
would, so metrics and the access log name the operation either way.
"""

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import DATABASE_UNAVAILABLE
from app.derived.content_version import request_freshness
from app.direct_reads.reader import DirectReader
from app.direct_reads.routing import Routing

logger = logging.getLogger(__name__)


class DirectReads:
    def __init__(self, app: ASGIApp, *, reader: DirectReader, routing: Routing) -> None:
        self.app = app
        self.reader = reader
        self.routing = routing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not any(name == b"authorization" for name, _ in scope["headers"])
        ):
            found = self.routing.parse(scope["path"], scope["query_string"])
        if found is None:
            await self.app(scope, receive, send)
            return
        route, read = found
        try:
            answer = await self.reader.answer(read, URL(scope=scope), request_freshness.get())
        except DATABASE_UNAVAILABLE:  # the framework path then answers: a 503
            answer = None
        except SQLAlchemyError:
            # The framework path may well answer; a direct read that cannot is a bug to see.
            logger.exception("a direct read of %s failed", scope["path"])
            answer = None
        if answer is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = route
        headers = [
            (b"content-length", str(len(answer.body)).encode("latin-1")),
            (b"content-type", b"application/json"),
            *((name.lower().encode("latin-1"), value.encode("latin-1"))
              for name, value in answer.headers.items()),
        ]  # fmt: skip
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
