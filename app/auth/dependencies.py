"""Who is calling, from the ``Authorization: Bearer`` header."""

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError

from app.auth import service, throttle
from app.auth.authentication import Authenticator
from app.auth.service import Viewer
from app.core.clients import client_key
from app.core.db import Database
from app.core.deps import DatabaseDep
from app.core.errors import Forbidden, Unauthorized
from app.core.security import is_well_formed
from app.core.types import utcnow
from app.events.actor import current_actor, token_actor

logger = logging.getLogger(__name__)

# What a preview token may ask for: reads (HEAD is answered as its GET) of the operations
# with these tags, the content a frontend renders and who the token is. Everything else is
# refused, so an operation added later is closed to preview tokens until it is added here.
READING_METHODS = frozenset(("GET", "HEAD"))
PREVIEW_TAGS = frozenset(("posts", "sources", "tags", "archives", "auth"))

bearer = HTTPBearer(
    scheme_name="bearer",
    auto_error=False,
    description="An API token (psk_...), created with `presseschau users create` or POST /tokens.",
)


async def get_viewer(
    request: Request,
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Viewer | None:
    """The caller, or None for anonymous requests (which never reach the database here)."""
    if credentials is None:
        return None
    authenticator: Authenticator = request.app.state.authenticator
    try:
        found = await authenticator.authenticate(
            # A malformed token (the checksum tells) is refused without looking it up.
            token=credentials.credentials if is_well_formed(credentials.credentials) else None
        )
    except Unauthorized as failure:
        # Only failures are limited: a client locked out gets 429 for them, and a failure
        # it makes meanwhile does not extend its window.
        client = await client_key(request)
        await authenticator.refuse_if_locked_out(client=client)
        await database.write(
            throttle.record_failure,
            client=client,
            window=authenticator.failure_window,
            reason=failure.detail,
        )
        raise
    viewer = found.viewer
    if viewer.is_preview:
        refuse_preview_token(request)
    # Every write this request makes is recorded as done by this user with this token (the
    # write threads run in a copy of this context).
    current_actor.set(
        token_actor(user_id=viewer.user_id, token_id=viewer.token_id, name=viewer.name)
    )
    if found.touch_due:
        await _record_use(database, viewer.token_id)
    return viewer


def refuse_preview_token(request: Request) -> None:
    """Raise Forbidden unless a preview token may make ``request``: the one place that
    keeps preview tokens to reading content, for every operation, whatever it does itself.

    Checked before anything is written for the request, the token's last use included."""
    if request.method not in READING_METHODS:
        raise Forbidden(
            "Preview tokens only read; this request would change something and needs a full token."
        )
    route = request.scope.get("route")
    tags = getattr(route, "tags", None) or ()
    if PREVIEW_TAGS.isdisjoint(str(tag) for tag in tags):
        raise Forbidden(
            "Preview tokens read posts, sources and archives only; this needs a full token."
        )


async def _record_use(database: Database, token_id: int) -> None:
    """A write of its own, on a best-effort basis: a busy database never fails a request."""
    try:
        await database.write(service.touch_token, token_id=token_id, now=utcnow())
    except OperationalError:
        logger.warning("could not record the use of token %s; the database is busy", token_id)


async def require_viewer(viewer: Annotated[Viewer | None, Depends(get_viewer)]) -> Viewer:
    if viewer is None:
        raise Unauthorized("This needs an API token: Authorization: Bearer psk_...")
    return viewer


async def require_editor(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
    if not viewer.is_editor:
        raise Forbidden("This needs the editor or admin role.")
    return viewer


async def require_admin(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
    if not viewer.is_admin:
        raise Forbidden("This needs the admin role.")
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(get_viewer)]
CurrentViewer = Annotated[Viewer, Depends(require_viewer)]
EditorViewer = Annotated[Viewer, Depends(require_editor)]
AdminViewer = Annotated[Viewer, Depends(require_admin)]
