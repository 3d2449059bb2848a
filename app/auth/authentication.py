"""Token checks on the driver connection: every request with a token makes one.

Indexed lookups (the token with its user; for a token that fails, the client's failed
attempts) as prepared statements: inline on SQLite, on a reading thread on PostgreSQL, without a session or a
thread hop of their own (see ``app.core.driver``).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import col

from app.auth import throttle
from app.auth.models import ApiToken, AuthFailure, Role, TokenKind, User
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
        col(ApiToken.kind),
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

    async def authenticate(self, *, token: str | None) -> Authentication:
        """The viewer behind a token; ``None`` stands for a token that is malformed.

        Raises Unauthorized for a token that is malformed, unknown, revoked, expired or whose
        user is locked. Failures are limited separately (``refuse_if_locked_out``), and only
        they are: a token carries 190 random bits, so guessing one is hopeless, and counting
        against valid tokens too would let anyone sharing an address (or every client behind
        a proxy that does not pass addresses on) lock out every user behind it."""
        if token is None:
            raise Unauthorized("The token is malformed.")
        rows = await self._driver.run(
            partial(self._token.rows, token_hash=hash_token(token)), short=True, snapshot=False
        )
        return self._check(rows[0] if rows else None)

    async def refuse_if_locked_out(self, *, client: str) -> None:
        """Raise TooManyRequests while ``client`` has failed too often in its window."""
        rows = await self._driver.run(
            partial(self._failures.rows, client=client), short=True, snapshot=False
        )
        if rows:
            failures, window_start = rows[0]
            throttle.refuse_if_locked_out(
                failures, window_start, limit=self.failure_limit, window=self.failure_window
            )

    def _check(self, found: tuple[Any, ...] | None) -> Authentication:
        if found is None:
            raise Unauthorized("The token is not valid.")
        (token_id, revoked_at, expires_at, last_used_at, kind,
         user_id, name, role, is_active) = found  # fmt: skip
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
            token_kind=TokenKind(kind),
        )
        # Writing on every request would turn each read into a write; a minute's precision is
        # enough.
        due = last_used_at is None or now - last_used_at >= self.touch_after
        return Authentication(viewer=viewer, touch_due=due)
