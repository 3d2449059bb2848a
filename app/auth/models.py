from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from app.auth.roles import Role as Role  # re-exported: the app imports it from here
from app.auth.roles import TokenKind as TokenKind
from app.core.types import UTCDateTime, ids_never_reused, utcnow

USER_NAME_MAX = 80
TOKEN_NAME_MAX = 80
TOKEN_KIND_CHECK = f"kind IN ({', '.join(repr(kind.value) for kind in TokenKind)})"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'editor', 'author')", name="role"),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(USER_NAME_MAX), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuthFailure(SQLModel, table=True):
    """Failed authentications of one client in the current window, shared by all processes."""

    __tablename__ = "auth_failures"

    client: str = Field(sa_column=Column(String(64), primary_key=True))
    # Indexed for the cleanup of expired rows (``throttle.remove_expired``).
    window_start: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    failures: int = Field(default=0, nullable=False)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"
    __table_args__ = (ids_never_reused(),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(sa_column=Column(String(TOKEN_NAME_MAX), nullable=False))
    # The start of the token, kept so people can tell their tokens apart; never enough to use.
    prefix: str = Field(sa_column=Column(String(16), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The server default keeps a server of an older release, which does not name a kind,
    # making full tokens while a newer one runs on the same database.
    kind: str = Field(
        default=TokenKind.full.value,
        sa_column=Column(
            String(16),
            CheckConstraint(TOKEN_KIND_CHECK, name="kind"),
            nullable=False,
            server_default=TokenKind.full.value,
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
