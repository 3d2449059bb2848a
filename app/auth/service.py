"""Users and API tokens."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.auth.models import ApiToken, Role, TokenKind, User
from app.auth.schemas import TokenCreate, UserCreate, UserUpdate
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.security import display_prefix, generate_token, hash_token
from app.core.types import utcnow
from app.events.record import Action, Entry, Ref, record, record_all


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is calling: the user behind a valid token."""

    user_id: int
    name: str
    role: Role
    token_id: int
    # When the token in use expires (None: never, or no token, as on the command line).
    token_expires_at: datetime | None = None
    token_kind: TokenKind = TokenKind.full

    @property
    def is_editor(self) -> bool:
        return self.role in (Role.editor, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def is_preview(self) -> bool:
        """The token in use only reads (see ``dependencies.refuse_preview_token``)."""
        return self.token_kind is TokenKind.preview


def touch_token(session: Session, *, token_id: int, now: datetime) -> None:
    """Record the token's use."""
    session.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))


def _get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(col(User.id))))


def user_named(session: Session, name: str, *, role: Role) -> User:
    """The user called ``name`` (a valid ``UserName``), made with ``role`` and no token when
    there is none: for content that comes with an author's name (demo content, imports)."""
    user = session.scalars(select(User).where(col(User.name) == name)).first()
    if user is None:
        user = User(name=name, role=role.value)
        session.add(user)
        session.flush()
        assert user.id is not None
        record(session, Action.user_created, Ref("user", user.id), _user_data(user))
    return user


def _user_data(user: User, **more: object) -> dict[str, object]:
    return {"name": user.name, "role": user.role, **more}


def create_user(session: Session, *, data: UserCreate) -> tuple[User, str]:
    """Create a user with its first token; returns the user and the token's secret."""
    data = data.cleaned()  # done before the transaction began, unless the caller skipped it
    user = User(name=data.name, role=data.role.value)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A user named {data.name!r} exists already.") from exc
    assert user.id is not None
    token, secret = _issue_token(
        session, user_id=user.id, name="first token", kind=TokenKind.full, expires_at=None
    )
    assert token.id is not None
    record_all(
        session,
        [
            Entry(Action.user_created, Ref("user", user.id), _user_data(user)),
            Entry(Action.token_created, Ref("token", token.id), _token_data(token)),
        ],
    )
    return user, secret


def update_user(session: Session, *, user_id: int, data: UserUpdate) -> User:
    user = _get_user(session, user_id)
    data = data.cleaned()
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "role" in changes:
        changes["role"] = changes["role"].value
    stays_admin = changes.get("role", user.role) == Role.admin and changes.get(
        "is_active", user.is_active
    )
    if user.role == Role.admin and user.is_active and not stays_admin:
        _keep_an_admin(session, user)
    for field, value in changes.items():
        setattr(user, field, value)
    user.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A user named {data.name!r} exists already.") from exc
    about = _user_data(user, is_active=user.is_active, fields=sorted(changes))
    record(session, Action.user_updated, Ref("user", user_id), about)
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to demote or lock ``user`` when it is the last active admin: nobody could
    manage users through the API any more.

    The active admins' rows are locked first, so two admins demoting each other at once
    cannot both succeed: the second one sees the first one's change."""
    admins = session.scalars(
        select(col(User.id))
        .where(col(User.role) == Role.admin.value, col(User.is_active))
        .with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        raise Conflict(f"{user.name!r} is the last active admin; make another user an admin first.")


def _issue_token(
    session: Session, *, user_id: int, name: str, kind: TokenKind, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    secret = generate_token()
    token = ApiToken(
        user_id=user_id,
        name=name,
        kind=kind.value,
        prefix=display_prefix(secret),
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def create_token(session: Session, *, viewer: Viewer, data: TokenCreate) -> tuple[ApiToken, str]:
    """A new token; a non-admin's expires no later than the token creating it, so a token
    about to expire cannot make itself a successor that lives on."""
    data = data.cleaned()
    user_id = viewer.user_id
    if data.user_id is not None and data.user_id != viewer.user_id:
        if not viewer.is_admin:
            raise Forbidden("Only admins create tokens for other users.")
        user_id = _get_user(session, data.user_id).id or data.user_id
    if data.expires_at is not None and data.expires_at.tzinfo is None:
        raise InvalidInput("expires_at needs a UTC offset, such as 2030-01-01T00:00:00Z.")
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise InvalidInput("expires_at must be in the future.")
    expires_at = data.expires_at
    limit = viewer.token_expires_at
    if not viewer.is_admin and limit is not None and (expires_at is None or expires_at > limit):
        expires_at = limit
    token, secret = _issue_token(
        session, user_id=user_id, name=data.name, kind=data.kind, expires_at=expires_at
    )
    assert token.id is not None
    record(session, Action.token_created, Ref("token", token.id), _token_data(token))
    return token, secret


def _token_data(token: ApiToken) -> dict[str, object]:
    """What an event says of a token: never its secret, its hash or its prefix."""
    expires = token.expires_at.isoformat() if token.expires_at else None
    return {
        "name": token.name,
        "user_id": token.user_id,
        "kind": token.kind,
        "expires_at": expires,
    }


def list_tokens(session: Session, *, viewer: Viewer, user_id: int | None) -> list[ApiToken]:
    query = select(ApiToken).order_by(col(ApiToken.id))
    if not viewer.is_admin:
        if user_id is not None and user_id != viewer.user_id:
            raise Forbidden("Only admins see other users' tokens.")
        user_id = viewer.user_id
    if user_id is not None:
        query = query.where(col(ApiToken.user_id) == user_id)
    return list(session.scalars(query))


def revoke_token(session: Session, *, viewer: Viewer, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != viewer.user_id and not viewer.is_admin):
        raise NotFound(f"There is no token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, Action.token_revoked, Ref("token", token_id), _token_data(token))
