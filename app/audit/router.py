from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit import service
from app.audit.cursor import audit_cursor_key
from app.audit.schemas import AuditFilters, AuditPage
from app.auth.dependencies import AdminViewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses

router = APIRouter(tags=["audit"])


@router.get(
    "/audit",
    response_model=AuditPage,
    responses={
        200: {
            "description": "A page of entries, newest first.",
            "headers": {
                "Link": {
                    "description": 'The next (older) page, `<...?cursor=...>; rel="next"`, '
                    "when there is one.",
                    "schema": {"type": "string"},
                }
            },
        },
        **error_responses(401, 403, 422),
    },
)
async def audit_log(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    _viewer: AdminViewer,
    filters: Annotated[AuditFilters, Query()],
) -> AuditPage:
    """What every write did, who did it and when, newest first (admins only).

    Entries are written with the changes they record and are read-only: no operation
    changes or deletes them. Failed authentications appear as `auth.failed`, without the
    token. Page with `cursor` (from `next_cursor` or the `Link` header); a cursor changed
    by hand is refused (422)."""
    key = await audit_cursor_key(request)
    page = await database.read(service.read_audit, filters=filters, zone=settings.zone, key=key)
    if page.next_cursor is not None:
        following = request.url.include_query_params(cursor=page.next_cursor)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return page
