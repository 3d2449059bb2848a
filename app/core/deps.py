"""Dependencies every router uses.

They are ``async`` although they do not wait for anything: FastAPI runs a plain ``def``
dependency on a worker thread, a hop per dependency on every request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config import Settings
from app.core.db import Database


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
