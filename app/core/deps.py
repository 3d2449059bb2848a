"""Dependencies every router uses.

They are ``async`` although they do not wait for anything: FastAPI runs a plain ``def``
dependency on a worker thread, a hop per dependency on every request."""

from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response

from app.core.config import Settings
from app.core.db import Database
from app.core.preconditions import Precondition, parse_if_match, version_etag


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_precondition(
    request: Request,
    _if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The ETag of your last read of the resource (or several, or *): the "
            "write goes ahead only if the resource is still at that version, else 412 with "
            "the current version and representation. Left out, or *, it goes ahead whatever "
            "the version, unless the server requires If-Match (428). Weak tags never match.",
        ),
    ] = None,
) -> Precondition:
    """The write's If-Match, every line of it (the parameter only documents the header)."""
    settings: Settings = request.app.state.settings
    return parse_if_match(request.headers.getlist("if-match"), required=settings.require_if_match)


IfMatch = Annotated[Precondition, Depends(get_precondition)]


# The response header of a writer's read and of every write (OpenAPI).
ETAG_HEADER: dict[str, Any] = {
    "ETag": {
        "description": "The resource's version, opaque (a strong entity tag): send it back in "
        "If-Match to change or delete the resource only if no one has since. Given to "
        "callers with a token; anonymous reads keep the ETag of the response's bytes.",
        "schema": {"type": "string"},
    }
}


def set_etag(response: Response, version: int) -> None:
    """Give a writer the ETag of the resource's ``version``."""
    response.headers["ETag"] = version_etag(version)
