"""Dependencies every router uses. None of them touches the database on its own thread hop."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config import Settings
from app.core.db import Database


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
