"""Migrations run against PRESSESCHAU_DATABASE_URL, or the URL a caller passed in."""

from logging.config import fileConfig
from typing import Any

from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from alembic import context
from app.core.config import get_settings
from app.core.db import create_db_engine, normalize_database_url
from app.core.migrations import made_on
from app.models import metadata
from app.search.models import undeclared

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _database_url() -> str:
    url = config.attributes.get("database_url") or get_settings().database_url
    return normalize_database_url(url)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Migrations spell out plain SQLAlchemy types, never the app's own column types."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """The search index's text table differs per database and no model declares it."""
    return not (type_ == "table" and undeclared(name))


def _configure(connection: Connection) -> None:
    dialect = connection.dialect.name

    def include_object(item: Any, _name: str | None, _type: str, reflected: bool, _to: Any) -> bool:
        # An index the models make on one database only is no difference on the other.
        return reflected or made_on(dialect, item)

    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
        include_object=include_object,
    )


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_db_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
