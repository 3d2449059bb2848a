"""Who a write is done for: set once per request (by the authentication dependency) and once per
command (by the command line), read by every event the write records.

A context variable, so it follows the work wherever it runs: anyio's ``to_thread.run_sync``
runs the write in a copy of the request's context, and each request and command has its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    token = "token"  # noqa: S105 (a kind of actor: an API request with a valid token)
    cli = "cli"  # the command line
    worker = "worker"  # background work, no request behind it
    anonymous = "anonymous"  # a request without a (valid) token


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    user_id: int | None = None
    token_id: int | None = None
    # The user's name when the write was done: users are renamed and deleted, entries stay.
    name: str | None = None


ANONYMOUS = Actor(ActorKind.anonymous)
COMMAND_LINE = Actor(ActorKind.cli)
WORKER = Actor(ActorKind.worker)

current_actor: ContextVar[Actor] = ContextVar("presseschau_actor", default=ANONYMOUS)


def token_actor(*, user_id: int, token_id: int, name: str) -> Actor:
    return Actor(ActorKind.token, user_id=user_id, token_id=token_id, name=name)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Everything written in the block is done by ``actor``; the one before comes back after."""
    token = current_actor.set(actor)
    try:
        yield
    finally:
        current_actor.reset(token)
