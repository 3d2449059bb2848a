"""Alembic, driven from code: the CLI, readiness and the tests all use these."""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from alembic import command
from app.core.errors import Conflict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_lag(revision: str | None) -> str | None:
    """What is wrong with a schema at ``revision`` (``current_revision``), for a message, or
    None when it is the latest migration."""
    head = head_revision()
    if revision == head:
        return None
    return (
        f"The database schema is at {revision or 'nothing'}, not {head}: run `presseschau migrate`"
    )


def require_latest_schema(connection: Connection, *, nothing_done: str) -> None:
    """Refuse to read or write a schema other than the latest migration's: its tables and
    columns are not the ones this code knows."""
    if (lag := schema_lag(current_revision(connection))) is not None:
        raise Conflict(f"{lag} on it first. {nothing_done}")


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
