"""Who is calling, from the ``Authorization: Bearer`` header."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import service
from app.auth.service import Viewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import Forbidden, Unauthorized
from app.core.security import is_well_formed

bearer = HTTPBearer(
    auto_error=False,
    description="An API token (psk_...), created with `presseschau users create` or POST /tokens.",
)


async def get_viewer(
    database: DatabaseDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Viewer | None:
    """The caller, or None for anonymous requests (which never reach the database here)."""
    if credentials is None:
        return None
    token = credentials.credentials
    if not is_well_formed(token):
        raise Unauthorized("The token is malformed.")
    return await database.read(
        service.authenticate,
        token=token,
        touch_after=timedelta(seconds=settings.token_touch_seconds),
    )


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
