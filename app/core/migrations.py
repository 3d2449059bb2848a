"""Alembic, driven from code: the CLI, readiness and the tests all use these.

A server only needs to know whether its database is at the latest migration. Loading Alembic
for that (its script directory pulls in every dialect's DDL support) would cost about 15 MB in
every server process, so the latest revision is read from the migration files themselves,
the current one with a query, and Alembic is imported only to migrate.
"""

import ast
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, text

from app.core.errors import Conflict

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VERSIONS = PROJECT_ROOT / "alembic" / "versions"
VERSION_TABLE = "alembic_version"


def made_on(dialect: str, item: Any) -> bool:
    """Whether the schema item (an index, say) of the models is made on ``dialect``: not one
    declared ``.ddl_if(dialect=...)`` for another, which Alembic's comparison of the models
    with a database would otherwise miss there."""
    # Where ddl_if keeps its condition: SQLAlchemy gives no public way to read it.
    condition = getattr(item, "_ddl_if", None)
    wanted = getattr(condition, "dialect", None)
    if wanted is None:
        return True
    return dialect == wanted if isinstance(wanted, str) else dialect in wanted


def alembic_config(database_url: str | None = None) -> "Config":
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def _assignment(node: ast.stmt) -> tuple[str, ast.expr] | None:
    """``name`` and value of ``name = value`` or ``name: type = value``."""
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id, node.value) if isinstance(target, ast.Name) else None
    return None


@lru_cache
def _revisions() -> dict[str, tuple[str, ...]]:
    """Each migration's revision and the revisions it follows, from its module's own
    ``revision`` and ``down_revision`` assignments."""
    found: dict[str, tuple[str, ...]] = {}
    for path in VERSIONS.glob("*.py"):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            assigned = _assignment(node)
            if assigned is not None and assigned[0] in ("revision", "down_revision"):
                values[assigned[0]] = ast.literal_eval(assigned[1])
        revision, follows = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            continue  # not a migration
        if isinstance(follows, str):
            found[revision] = (follows,)
        else:
            found[revision] = tuple(follows) if isinstance(follows, tuple | list) else ()
    return found


@lru_cache
def head_revision() -> str | None:
    """The latest migration's revision (None before the first)."""
    revisions = _revisions()
    heads = set(revisions) - {parent for parents in revisions.values() for parent in parents}
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads {sorted(heads)}: merge them")
    return next(iter(heads), None)


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None before the first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revision = connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608
    return str(revision) if revision is not None else None


def schema_lag(revision: str | None) -> str | None:
    """What is wrong with a schema at ``revision`` (``current_revision``) and what to do about
    it, for a message; None when it is the latest migration."""
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        state = f"The database is not migrated (at none, latest is {head})"
    elif revision in _revisions():
        state = f"The database is behind the latest migration (at {revision}, latest is {head})"
    else:
        # Migrated by a newer release: `migrate` cannot go back from a revision it lacks.
        return (
            f"The database is at migration {revision}, which this version of Presseschau "
            f"does not know (latest is {head}): use the version that migrated it"
        )
    return f"{state}: run `presseschau migrate` on it first"


def require_latest_schema(connection: Connection, *, nothing_done: str) -> None:
    """Refuse to read or write a schema other than the latest migration's: its tables and
    columns are not the ones this code knows."""
    if (lag := schema_lag(current_revision(connection))) is not None:
        raise Conflict(f"{lag}. {nothing_done}")


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)
