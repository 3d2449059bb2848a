"""The ``presseschau`` command line."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
import uvicorn
from typer.core import TyperGroup

from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import TokenCreate, UserCreate
from app.auth.service import Viewer
from app.core.config import get_settings
from app.core.db import Database, create_db_engine
from app.core.errors import DomainError, InvalidInput, NotFound
from app.core.logging import log_config
from app.core.migrations import upgrade
from app.core.serving import SERVE_OPTIONS, raise_descriptor_limit
from app.demo.loader import is_empty, load_demo
from app.importers.records import ImportedAuthor
from app.importers.service import DEFAULT_AUTHOR, ImportSummary
from app.posts.documents import keep_documents, store_missing
from app.transfer import restorer
from app.transfer.exporter import Export
from app.transfer.format import summary


class _Commands(TyperGroup):
    """Ends every command the same way when it is refused (a ``DomainError``, including a
    file it cannot read or write): its one-line message on standard error and exit status 1,
    never a traceback. Nested command groups run inside this one's ``invoke``."""

    def invoke(self, ctx: Any) -> Any:  # the Context of the click that typer bundles
        try:
            return super().invoke(ctx)
        except DomainError as error:
            typer.secho(f"error: {error.detail}", err=True, fg=typer.colors.RED)
            raise typer.Exit(code=1) from error


cli = typer.Typer(cls=_Commands, help="Presseschau: a headless content API for press-review blogs.")
users_cli = typer.Typer(help="Manage users.")
tokens_cli = typer.Typer(help="Manage API tokens.")
import_cli = typer.Typer(help="Bring content into the database.")
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(import_cli, name="import")
STANDARD_STREAM = "-"


def _database() -> Database:
    database = Database(create_db_engine(get_settings().database_url))
    keep_documents(database, get_settings().zone)
    return database


@cli.command()
def migrate() -> None:
    """Bring the database schema to the latest migration, and store the JSON documents of
    posts that have none in the site's time zone (after an upgrade or a change of zone)."""
    settings = get_settings()
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")
    database = _database()
    try:
        stored = store_missing(
            database,
            settings.zone,
            lambda done: typer.echo(f"  stored {done:,} post documents", err=True),
        )
    finally:
        database.dispose()
    if stored:
        typer.echo(f"stored the documents of {stored:,} posts")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API (run `presseschau migrate` first)."""
    metrics_dir = None
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Workers share their metrics through files; set before any worker starts.
        metrics_dir = tempfile.mkdtemp(prefix="presseschau-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    raise_descriptor_limit()  # inherited by the worker processes
    try:
        uvicorn.run(
            "app.main:create_app",
            host=host,
            port=port,
            workers=workers,
            log_config=log_config(),
            timeout_graceful_shutdown=30,
            **SERVE_OPTIONS,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@cli.command()
def demo() -> None:
    """Load the sample content, only into a database with no posts and no sources."""
    settings = get_settings()
    database = _database()
    with database.session() as session:
        if not is_empty(session):
            typer.echo("the database has content already; no demo content added")
            return
        sources, posts = load_demo(session, zone=settings.zone, language=settings.language)
    typer.echo(f"demo content loaded: {sources} sources, {posts} posts")


@users_cli.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[Role, typer.Option(help="admin, editor or author.")] = Role.author,
) -> None:
    """Create a user; its first API token is printed as the last line."""
    user, secret = _database().call(auth.create_user, data=UserCreate(name=name, role=role))
    typer.echo(f"created user {user.name} (id {user.id}, role {user.role}); its API token:")
    typer.echo(secret)


@users_cli.command("list")
def list_users() -> None:
    """List users."""
    for user in _database().call(auth.list_users):
        state = "" if user.is_active else " (locked)"
        typer.echo(f"{user.id}\t{user.name}\t{user.role}{state}")


def _viewer_for(name: str) -> Viewer:
    for user in _database().call(auth.list_users):
        if user.name == name:
            assert user.id is not None
            return Viewer(user_id=user.id, name=user.name, role=Role(user.role), token_id=0)
    raise NotFound(f"there is no user named {name!r}")


@tokens_cli.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="The user's name.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "API token",
    expires_in_days: Annotated[int | None, typer.Option(min=1, help="Expire after N days.")] = None,
) -> None:
    """Create a token for a user; the token is printed as the last line."""
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    token, secret = _database().call(
        auth.create_token,
        viewer=_viewer_for(user),
        data=TokenCreate(name=name, expires_at=expires_at),
    )
    typer.echo(f"created token {token.id} ({token.prefix}...) for {user}:")
    typer.echo(secret)


@tokens_cli.command("list")
def list_tokens(user: Annotated[str, typer.Argument(help="The user's name.")]) -> None:
    """List a user's tokens (never their secrets)."""
    for token in _database().call(auth.list_tokens, viewer=_viewer_for(user), user_id=None):
        state = "revoked" if token.revoked_at else "active"
        typer.echo(f"{token.id}\t{token.prefix}...\t{token.name}\t{state}")


@tokens_cli.command("revoke")
def revoke_token(
    user: Annotated[str, typer.Argument(help="The token owner's name.")],
    token_id: Annotated[int, typer.Argument(help="The token's id.")],
) -> None:
    """Revoke one of a user's tokens."""
    _database().call(auth.revoke_token, viewer=_viewer_for(user), token_id=token_id)
    typer.echo(f"token {token_id} revoked")


@cli.command("export")
def export_document(
    file: Annotated[str, typer.Argument(help="The file to write, or - for standard output.")],
) -> None:
    """Write everything the database holds to FILE as one JSON document."""
    export = Export(_database())
    if file == STANDARD_STREAM:
        output = typer.get_binary_stream("stdout")
        for chunk in export:
            output.write(chunk)
        output.flush()
    else:
        _write_atomically(Path(file), export)
    # With the document on standard output, the summary goes to standard error.
    typer.echo(f"exported {summary(export.counts)}", err=file == STANDARD_STREAM)


def _write_atomically(path: Path, export: Export) -> None:
    """Write beside the file and rename at the end: a failed export leaves no partial file."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as output:
            for chunk in export:
                output.write(chunk)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {path}: {error.strerror}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def _opened(file: str) -> Iterator[BinaryIO]:
    """The file to read, or standard input for ``-`` (left open: it is not ours)."""
    if file == STANDARD_STREAM:
        yield typer.get_binary_stream("stdin")
        return
    with Path(file).open("rb") as document:
        yield document


@import_cli.command("json")
def import_json(
    file: Annotated[str, typer.Argument(help="An export document, or - for standard input.")],
) -> None:
    """Restore an export document (presseschau export) into a new, empty database."""
    try:
        with _opened(file) as document:
            counts = restorer.restore(_database(), document)
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error.strerror}") from error
    typer.echo(f"restored {summary(counts)}")
    typer.echo(
        "API tokens are not exported: create new ones with `presseschau tokens create USER`."
    )


DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what the import would do; write nothing.")
]


# The import commands load their file readers (BeautifulSoup) and progress bar (rich) when they
# run: every other command, `serve` above all, would otherwise carry them in memory.


def _report(summary: ImportSummary, *, dry_run: bool) -> None:
    from app.importers.report import summary_lines

    for line in summary_lines(summary, dry_run=dry_run):
        typer.echo(line)
    for failure in summary.failures:
        typer.secho(f"failed: {failure.position}: {failure.reason}", err=True, fg="red")
    if summary.failed:
        # The others are in: a script can tell "done, with exceptions" from "not done" (1).
        raise typer.Exit(code=2)


@import_cli.command("wxr")
def import_wxr_command(
    file: Annotated[Path, typer.Argument(help="A WordPress export (Tools → Export), WXR.")],
    dry_run: DryRun = False,
) -> None:
    """Import a WordPress export: posts, sources, tags and authors; again adds nothing."""
    from app.importers.files import import_wxr
    from app.importers.report import byte_progress

    settings = get_settings()
    try:
        with byte_progress(file.stat().st_size, "importing") as advance:
            summary = import_wxr(
                _database(),
                file,
                zone=settings.zone,
                language=settings.language,
                dry_run=dry_run,
                progress=advance,
            )
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error.strerror}") from error
    _report(summary, dry_run=dry_run)


@import_cli.command("archive")
def import_archive_command(
    file: Annotated[Path, typer.Argument(help="A day-archive page saved as text or HTML.")],
    author: Annotated[
        str, typer.Option(help="The user the posts are written by (made when missing).")
    ] = DEFAULT_AUTHOR.login,
    dry_run: DryRun = False,
) -> None:
    """Import a day-archive page: its posts on its day, in its order; again adds nothing."""
    from app.importers.files import import_archive_page

    settings = get_settings()
    try:
        summary = import_archive_page(
            _database(),
            file.read_text(encoding="utf-8"),
            zone=settings.zone,
            language=settings.language,
            author=ImportedAuthor(author),
            dry_run=dry_run,
        )
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {file} as UTF-8 text: {error}") from error
    _report(summary, dry_run=dry_run)


def main() -> None:
    cli()
