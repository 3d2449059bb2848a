"""Who is calling, from the ``Authorization: Bearer`` header."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import service, throttle
from app.auth.service import Viewer
from app.core.clients import client_key
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import Forbidden, Unauthorized
from app.core.security import is_well_formed

bearer = HTTPBearer(
    auto_error=False,
    description="An API token (psk_...), created with `presseschau users create` or POST /tokens.",
)


async def get_viewer(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Viewer | None:
    """The caller, or None for anonymous requests (which never reach the database here)."""
    if credentials is None:
        return None
    client = client_key(request, settings.client_hash_key.get_secret_value())
    window = timedelta(seconds=settings.auth_failure_window_seconds)
    try:
        return await database.read(
            service.authenticate,
            # A malformed token (the checksum tells) is refused without looking it up.
            token=credentials.credentials if is_well_formed(credentials.credentials) else None,
            client=client,
            failure_limit=settings.auth_failure_limit,
            failure_window=window,
            touch_after=timedelta(seconds=settings.token_touch_seconds),
        )
    except Unauthorized:
        await database.write(throttle.record_failure, client=client, window=window)
        raise


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
