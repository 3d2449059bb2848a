"""Callers that ask while a call runs share the next one, never the one already running."""

import asyncio

import pytest

from app.caching.shared_call import NextCallShared


class _Calls:
    """Numbered calls, each held until released."""

    def __init__(self) -> None:
        self.started = 0
        self.release = asyncio.Event()

    async def __call__(self) -> int:
        self.started += 1
        number = self.started
        await self.release.wait()
        if number == 3:
            raise RuntimeError("the database went away")
        return number


def test_callers_at_once_share_a_call_and_later_ones_get_a_new_one() -> None:
    async def scenario() -> None:
        calls = _Calls()
        shared = NextCallShared(calls)
        first = [asyncio.create_task(shared()) for _ in range(5)]
        await asyncio.sleep(0.01)
        assert calls.started == 1  # the five asked before any call started
        # Asked while call 1 runs: it may have read before they asked, so they wait for 2.
        second = [asyncio.create_task(shared()) for _ in range(3)]
        await asyncio.sleep(0.01)
        assert calls.started == 1
        calls.release.set()
        assert await asyncio.gather(*first) == [1] * 5
        assert await asyncio.gather(*second) == [2] * 3
        assert calls.started == 2
        # A failed call fails everyone who shared it, and the next caller gets a fresh call.
        failed = await asyncio.gather(shared(), shared(), return_exceptions=True)
        assert [str(error) for error in failed] == ["the database went away"] * 2
        assert await shared() == 4

    asyncio.run(scenario())


def test_a_caller_that_gives_up_leaves_the_call_to_the_others() -> None:
    async def scenario() -> None:
        calls = _Calls()
        shared = NextCallShared(calls)
        leaving, staying = asyncio.create_task(shared()), asyncio.create_task(shared())
        await asyncio.sleep(0.01)
        leaving.cancel()
        calls.release.set()
        assert await staying == 1
        with pytest.raises(asyncio.CancelledError):
            await leaving

    asyncio.run(scenario())


def test_nothing_carries_over_to_another_event_loop() -> None:
    calls = _Calls()
    calls.release.set()
    shared = NextCallShared(calls)
    assert asyncio.run(shared()) == 1
    assert asyncio.run(shared()) == 2
