"""One call shared by everyone who asks while the previous call is running.

The response cache asks PostgreSQL for the content version before every anonymous request,
and each request must get an answer read after it arrived: a write whose response has already
returned must be seen. Under load, many requests ask at once. Here they do not each take a
thread and a connection. Whoever asks while a call is running waits for the next call, which
starts once that one ends, and everyone waiting shares it. So every answer still comes from a
call that started after its caller asked, and at most one call runs at a time.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class NextCallShared(Generic[T]):
    def __init__(self, call: Callable[[], Awaitable[T]]) -> None:
        self._call = call
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: asyncio.Future[T] | None = None  # the next call's callers, not started
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self) -> T:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Nothing carries over from another event loop (a test client makes its own).
            self._loop, self._waiting, self._runner = loop, None, None
        if self._waiting is None:
            self._waiting = loop.create_future()
            if self._runner is None or self._runner.done():
                self._runner = loop.create_task(self._run())
        # A caller that gives up (its client went away) leaves the call to the others.
        return await asyncio.shield(self._waiting)

    async def _run(self) -> None:
        while (waiting := self._waiting) is not None:
            self._waiting = None
            try:
                waiting.set_result(await self._call())
            except Exception as error:  # each caller raises it, as if it had called alone
                waiting.set_exception(error)
