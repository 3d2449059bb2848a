"""An application whose own middleware runs in front of the framework's stack, not inside it.

Starlette puts every added middleware inside its error and exception layers, and FastAPI adds
two more of its own; each is another coroutine per request and per message sent. A response
the cache answers needs none of them: the request context already turns any unexpected error
into a logged 500 problem. So these run first, and the framework's stack only for what they
pass on.
"""

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class FrontedFastAPI(FastAPI):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._front: ASGIApp = self._framework

    def add_front_middleware(self, middleware: type[Any], **options: Any) -> None:
        """Like ``add_middleware``: the one added last runs first."""
        self._front = middleware(self._front, **options)

    async def _framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)
