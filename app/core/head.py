"""``HEAD`` wherever ``GET`` works: answered as the GET would be, without its body.

FastAPI's routes answer only the methods they name, so a HEAD got 405 from every operation.
Handling it once, in front of everything (the response cache and the direct reads included),
gives every GET route a HEAD with the very same status and headers (Content-Length and ETag
too), and no route has to declare it.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the layers outside (the access log, metrics) still see the HEAD.
        inner = {**scope, "method": "GET"}

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # only the last (empty) part is sent on
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, without_body)
        finally:
            if "route" in inner:
                scope["route"] = inner["route"]
