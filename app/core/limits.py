"""Request body limits, enforced before routing, authentication or parsing: its size, and
the time it may take to arrive (a client sending a byte now and then would otherwise hold
its connection and a request's resources for as long as it likes)."""

import time

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response

# The rest of an unread body would otherwise be parsed as the next request: after refusing a
# body half-way, the connection is closed with the answer (RFC 9110, 15.5.9).
_CLOSE = {"Connection": "close"}


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    def _too_large(self) -> str:
        return f"The request body is larger than the limit of {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                response = problem_response(413, self._too_large())
                await response(scope, receive, send)
                return
        received = 0
        complete = False
        # The monotonic clock, read directly: anyio.current_time() first finds out which
        # event loop runs, which cost every request (most never read a body) microseconds.
        deadline = time.monotonic() + self.timeout_seconds

        # Chunked bodies have no length up front: count as they arrive.
        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # after the body only the disconnect comes, whenever it does
                return await receive()
            with anyio.move_on_after(deadline - time.monotonic()) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                raise HTTPException(
                    408,
                    f"The request body did not arrive within {self.timeout_seconds:g} s.",
                    headers=_CLOSE,
                )
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large(), headers=_CLOSE)
            return message

        await self.app(scope, counting_receive, send)
