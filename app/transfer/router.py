from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from app.auth.dependencies import AdminViewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.transfer.exporter import Export, stream
from app.transfer.format import ExportDocument

router = APIRouter(tags=["export"])


@router.get(
    "/export",
    response_model=ExportDocument,
    responses={
        200: {
            "description": "The export document, streamed as it is read.",
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="presseschau-YYYYMMDD.json"',
                    "schema": {"type": "string"},
                }
            },
        },
        **error_responses(401, 403),
    },
)
async def export_database(
    database: DatabaseDep, settings: SettingsDep, _viewer: AdminViewer
) -> StreamingResponse:
    """Everything the database holds, as one JSON document to restore (admins only)."""
    export = Export(database)
    chunks = await stream(export)
    filename = f"presseschau-{export.exported_at.astimezone(settings.zone):%Y%m%d}.json"
    return StreamingResponse(
        chunks,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Streamed responses pass the HTTP cache untouched: say here that none may keep it.
            "Cache-Control": "private, no-store",
        },
    )
