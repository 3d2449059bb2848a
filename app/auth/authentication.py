"""Token checks on the driver connection: every request with a token makes one.

Two indexed lookups (the client's failed attempts, the token with its user) as prepared
statements: inline on SQLite, on a reading thread on PostgreSQL, without a session or a
thread hop of their own (see ``app.core.driver``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import col

from app.auth import throttle
from app.auth.models import ApiToken, AuthFailure, Role, User
from app.auth.service import Viewer
from app.core.driver import DriverConnection
from app.core.errors import Unauthorized
from app.core.prepared import Prepared
from app.core.security import hash_token
from app.core.types import utcnow

_FAILURES = select(col(AuthFailure.failures), col(AuthFailure.window_start)).where(
    col(AuthFailure.client) == bindparam("client")
)
_TOKEN = (
    select(
        col(ApiToken.id),
        col(ApiToken.revoked_at),
        col(ApiToken.expires_at),
        col(ApiToken.last_used_at),
        col(User.id),
        col(User.name),
        col(User.role),
        col(User.is_active),
    )
    .join(User, col(User.id) == col(ApiToken.user_id))
    .where(col(ApiToken.token_hash) == bindparam("token_hash"))
)


@dataclass(frozen=True, slots=True)
class Authentication:
    viewer: Viewer
    # The token's last use is stale enough to be written (see ``service.touch_token``).
    touch_due: bool


@dataclass(frozen=True, slots=True)
class _Found:
    failures: tuple[int, datetime] | None
    token: tuple[Any, ...] | None


class Authenticator:
    def __init__(
        self,
        driver: DriverConnection,
        *,
        failure_limit: int,
        failure_window: timedelta,
        touch_after: timedelta,
    ) -> None:
        self._driver = driver
        self._failures = Prepared(_FAILURES, driver.engine.dialect)
        self._token = Prepared(_TOKEN, driver.engine.dialect)
        self.failure_limit = failure_limit
        self.failure_window = failure_window
        self.touch_after = touch_after

    async def authenticate(self, *, token: str | None, client: str) -> Authentication:
        """The viewer behind a token; ``None`` stands for a token that is malformed.

        A valid token always authenticates, whatever else came from its client: a token
        carries 190 random bits, so guessing one is hopeless and only failures need a limit;
        counting against valid tokens too would let anyone sharing an address (or a proxy
        not configured to pass addresses on) lock out every user behind it.

        Raises TooManyRequests for a token that fails from a client locked out, else
        Unauthorized for a token that is malformed, unknown, revoked, expired or whose user
        is locked."""
        token_hash = None if token is None else hash_token(token)
        # Two single statements: no snapshot needed between them.
        found = await self._driver.run(
            partial(self._read, client=client, token_hash=token_hash), short=True, snapshot=False
        )
        try:
            return self._check(found.token, malformed=token is None)
        except Unauthorized:
            if found.failures is not None:
                failures, window_start = found.failures
                throttle.refuse_if_locked_out(
                    failures, window_start, limit=self.failure_limit, window=self.failure_window
                )
            raise

    def _check(self, found: tuple[Any, ...] | None, *, malformed: bool) -> Authentication:
        if malformed:
            raise Unauthorized("The token is malformed.")
        if found is None:
            raise Unauthorized("The token is not valid.")
        token_id, revoked_at, expires_at, last_used_at, user_id, name, role, is_active = found
        now = utcnow()
        if revoked_at is not None:
            raise Unauthorized("The token has been revoked.")
        if expires_at is not None and expires_at <= now:
            raise Unauthorized("The token has expired.")
        if not is_active:
            raise Unauthorized("The token's user is locked.")
        viewer = Viewer(
            user_id=user_id,
            name=name,
            role=Role(role),
            token_id=token_id,
            token_expires_at=expires_at,
        )
        # Writing on every request would turn each read into a write; a minute's precision is
        # enough.
        due = last_used_at is None or now - last_used_at >= self.touch_after
        return Authentication(viewer=viewer, touch_due=due)

    def _read(self, cursor: Any, *, client: str, token_hash: str | None) -> _Found:
        failures = self._failures.rows(cursor, client=client)
        token = None if token_hash is None else self._token.rows(cursor, token_hash=token_hash)
        return _Found(
            failures=(failures[0][0], failures[0][1]) if failures else None,
            token=token[0] if token else None,
        )
