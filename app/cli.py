"""The ``presseschau`` command line.

This module loads typer and the standard library only: each command imports what it needs
when it runs, so ``presseschau --help`` (and a mistyped option) answers at once instead of
after loading the web framework, the database layer and every model.

Every failure the user can do something about ends the same way: one line on standard
error, ``presseschau: ...``, and exit status 1 (2 for a command line that does not parse, and
for an import that went through with some items refused). A traceback means a bug.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from app.auth.roles import Role, TokenKind
from app.cli_errors import Commands
from app.importers.defaults import DEFAULT_AUTHOR_LOGIN

if TYPE_CHECKING:
    from app.auth.service import Viewer
    from app.core.config import Settings
    from app.core.db import Database
    from app.importers.service import ImportSummary
    from app.search.store import Indexing
    from app.transfer.exporter import Export

# Posts per transaction when `presseschau migrate` indexes: nothing else runs beside it.
MIGRATE_INDEX_BATCH = 500
# Longer than any token needs, and its expiry stays a date every time zone can represent.
TOKEN_DAYS_MAX = 36_500


cli = typer.Typer(cls=Commands, help="Presseschau: a headless content API for press-review blogs.")
users_cli = typer.Typer(help="Manage users.")
tokens_cli = typer.Typer(help="Manage API tokens.")
import_cli = typer.Typer(help="Bring content into the database.")
search_cli = typer.Typer(help="Look after the search index.")
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(import_cli, name="import")
cli.add_typer(search_cli, name="search")
STANDARD_STREAM = "-"


def _settings() -> "Settings":
    """The settings, or a refusal naming the environment variable that is wrong."""
    from pydantic import ValidationError

    from app.core.config import Settings, get_settings
    from app.core.errors import InvalidInput

    try:
        return get_settings()
    except ValidationError as error:
        prefix = str(Settings.model_config.get("env_prefix", ""))
        first = error.errors()[0]
        variable = prefix + "_".join(str(part) for part in first["loc"]).upper()
        raise InvalidInput(f"{variable}: {first['msg']}") from None


def _database(*, migrated: bool = True) -> "Database":
    """The configured database, once it answers and (when ``migrated``) its schema is at the
    latest migration; otherwise the command ends with one line saying what to do."""
    from app.core.readiness import require_ready
    from app.derived.root import open_database

    database = open_database(_settings())
    try:
        require_ready(database.engine, migrated=migrated)
    except BaseException:
        database.dispose()
        raise
    return database


@cli.command()
def migrate() -> None:
    """Bring the database schema to the latest migration, store the JSON documents of posts
    that have none in the site's time zone and this release's format (after an upgrade or a
    change of zone), a batch per transaction, and index the posts queued for search."""
    from alembic.util import CommandError

    from app.core.errors import Conflict
    from app.core.migrations import upgrade
    from app.posts.documents import refresh_documents
    from app.search.index import index_queued

    settings = _settings()
    # It must answer first: Alembic would report a refused connection in a traceback.
    _database(migrated=False).dispose()
    try:
        upgrade(settings.database_url)
    except CommandError as error:  # a revision it does not know: migrated by a newer version
        raise Conflict(f"Cannot migrate the database: {error}") from error
    typer.echo("database schema is up to date")
    database = _database()
    try:
        stored = refresh_documents(
            database,
            settings.zone,
            lambda done: typer.echo(f"  stored {done:,} post documents", err=True),
        )
        # What the migrations queued (every post, when the index is new): searchable once
        # this ends, not only once a worker has caught up.
        indexed = index_queued(
            database,
            settings.search_languages,
            batch=MIGRATE_INDEX_BATCH,
            progress=lambda done: typer.echo(f"  indexed {done:,} posts for search", err=True),
        )
    finally:
        database.dispose()
    if stored:
        typer.echo(f"stored the documents of {stored:,} posts")
    _report_indexing(indexed)


def _report_indexing(indexing: "Indexing", *, always: bool = False) -> None:
    """What indexing for search did, when it did anything (``always``: the count stored)."""
    if indexing.stored or always:
        typer.echo(f"indexed {indexing.stored:,} posts for search")
    if indexing.left_out:
        typer.echo(
            f"left {indexing.left_out:,} posts out of the search index (the log says which "
            "and why); each is indexed again when it is changed",
            err=True,
        )
    if indexing.stale:
        typer.echo(
            f"{indexing.stale:,} posts changed while they were indexed, or taken in by "
            "another indexer: any still queued are indexed by the worker",
            err=True,
        )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API (run `presseschau migrate` first: it refuses to start before)."""
    import uvicorn

    from app.core.logging import log_config
    from app.core.serving import SERVE_OPTIONS, raise_descriptor_limit
    from app.worker.supervisor import WorkerProcess, running, worker_command

    # Checked here, once, before any worker starts: a server on a database it cannot use
    # would only answer 503 to every read while looking alive.
    _database().dispose()
    # One worker process for the whole server, however many processes serve (see
    # app.worker.supervisor); the app's own processes run no worker thread.
    jobs = WorkerProcess(worker_command()) if _settings().worker else None
    metrics_dir = None
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Workers share their metrics through files; set before any worker starts.
        metrics_dir = tempfile.mkdtemp(prefix="presseschau-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    raise_descriptor_limit()  # inherited by the worker processes
    try:
        with running(jobs):
            uvicorn.run(
                "app.main:create_served_app",
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
def worker(
    with_server: Annotated[
        bool,
        typer.Option(
            hidden=True,
            help="Run as `presseschau serve`'s worker: at a lower CPU priority, and stop "
            "when standard input (the server's pipe) closes.",
        ),
    ] = False,
) -> None:
    """Run background jobs in the foreground until SIGINT or SIGTERM (the job in hand is
    ended first). Safe beside other workers and servers; `presseschau serve` starts one
    beside itself unless PRESSESCHAU_WORKER=false."""
    from app.worker.process import run_in_foreground, worker_for
    from app.worker.supervisor import stop_with_server

    if with_server:
        stop_with_server()
    database = _database()
    try:
        run_in_foreground(worker_for(database, _settings()))
    finally:
        database.dispose()


@cli.command()
def demo() -> None:
    """Load the sample content, only into a database with no posts and no sources, and index
    it for search."""
    from app.demo.loader import is_empty, load_demo
    from app.search.index import index_queued

    settings = _settings()
    database = _database()
    try:
        with database.session() as session:
            if not is_empty(session):
                typer.echo("the database has content already; no demo content added")
                return
            sources, posts = load_demo(session, zone=settings.zone, language=settings.language)
        # Searchable at once (`make run` serves right after), not once a worker caught up.
        index_queued(database, settings.search_languages)
    finally:
        database.dispose()
    typer.echo(f"demo content loaded: {sources} sources, {posts} posts")


@users_cli.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    role: Annotated[Role, typer.Option(help="admin, editor or author.")] = Role.author,
) -> None:
    """Create a user; its first API token is printed as the last line."""
    from app.auth import service as auth
    from app.auth.schemas import UserCreate

    data = UserCreate(name=name, role=role)  # a bad name is refused before the database opens
    user, secret = _database().call(auth.create_user, data=data)
    typer.echo(f"created user {user.name} (id {user.id}, role {user.role}); its API token:")
    typer.echo(secret)


@users_cli.command("list")
def list_users() -> None:
    """List users."""
    from app.auth import service as auth

    for user in _database().call(auth.list_users):
        state = "" if user.is_active else " (locked)"
        typer.echo(f"{user.id}\t{user.name}\t{user.role}{state}")


def _viewer_for(name: str) -> "Viewer":
    from app.auth import service as auth
    from app.auth.service import Viewer
    from app.core.errors import NotFound

    for user in _database().call(auth.list_users):
        if user.name == name:
            assert user.id is not None
            return Viewer(user_id=user.id, name=user.name, role=Role(user.role), token_id=0)
    raise NotFound(f"there is no user named {name!r}")


@tokens_cli.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="The user's name.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "API token",
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=TOKEN_DAYS_MAX, help="Expire after N days.")
    ] = None,
    kind: Annotated[
        TokenKind,
        typer.Option(
            help="full: all the user may do; preview: only reads posts, sources and "
            "archives (drafts too), for a frontend's preview mode."
        ),
    ] = TokenKind.full,
) -> None:
    """Create a token for a user; the token is printed as the last line."""
    from app.auth import service as auth
    from app.auth.schemas import TokenCreate

    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    token, secret = _database().call(
        auth.create_token,
        viewer=_viewer_for(user),
        data=TokenCreate(name=name, kind=kind, expires_at=expires_at),
    )
    typer.echo(f"created token {token.id} ({token.prefix}...) for {user}, kind {token.kind}:")
    typer.echo(secret)


@tokens_cli.command("list")
def list_tokens(user: Annotated[str, typer.Argument(help="The user's name.")]) -> None:
    """List a user's tokens (never their secrets)."""
    from app.auth import service as auth

    for token in _database().call(auth.list_tokens, viewer=_viewer_for(user), user_id=None):
        state = "revoked" if token.revoked_at else "active"
        typer.echo(f"{token.id}\t{token.prefix}...\t{token.name}\t{token.kind}\t{state}")


@tokens_cli.command("revoke")
def revoke_token(
    user: Annotated[str, typer.Argument(help="The token owner's name.")],
    token_id: Annotated[int, typer.Argument(help="The token's id.")],
) -> None:
    """Revoke one of a user's tokens."""
    from app.auth import service as auth

    _database().call(auth.revoke_token, viewer=_viewer_for(user), token_id=token_id)
    typer.echo(f"token {token_id} revoked")


@cli.command("openapi")
def openapi_document(
    file: Annotated[
        str, typer.Argument(help="The file to write, or - for standard output.")
    ] = STANDARD_STREAM,
) -> None:
    """Write the API's OpenAPI document, what client generators read, to FILE.

    The repository keeps it as ``openapi.json``, and a test fails when the app's differs, so
    every change to what clients see is reviewed."""
    from app.core.openapi import document_text
    from app.main import create_app

    text = document_text(create_app(_settings()))
    if file == STANDARD_STREAM:
        typer.echo(text, nl=False)
    else:
        Path(file).write_text(text, encoding="utf-8")


@cli.command("export")
def export_document(
    file: Annotated[str, typer.Argument(help="The file to write, or - for standard output.")],
) -> None:
    """Write everything the database holds to FILE as one JSON document."""
    from app.transfer.exporter import Export
    from app.transfer.format import summary

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


def _write_atomically(path: Path, export: "Export") -> None:
    """Write beside the file and rename at the end: a failed export leaves no partial file."""
    from app.core.errors import InvalidInput

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
    from app.core.errors import InvalidInput
    from app.transfer import restorer
    from app.transfer.format import summary

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


def _report(summary: "ImportSummary", *, dry_run: bool) -> None:
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
    from app.core.errors import InvalidInput
    from app.importers.files import import_wxr
    from app.importers.report import byte_progress

    settings = _settings()
    try:
        with byte_progress(file.stat().st_size, "importing") as advance:
            summary = import_wxr(
                _database(),
                file,
                zone=settings.zone,
                language=settings.language,
                languages=settings.search_languages,
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
    ] = DEFAULT_AUTHOR_LOGIN,
    dry_run: DryRun = False,
) -> None:
    """Import a day-archive page: its posts on its day, in its order; again adds nothing."""
    from app.core.errors import InvalidInput
    from app.importers.files import import_archive_page
    from app.importers.records import ImportedAuthor

    settings = _settings()
    try:
        summary = import_archive_page(
            _database(),
            file.read_text(encoding="utf-8"),
            zone=settings.zone,
            language=settings.language,
            languages=settings.search_languages,
            author=ImportedAuthor(author),
            dry_run=dry_run,
        )
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {file} as UTF-8 text: {error}") from error
    _report(summary, dry_run=dry_run)


@search_cli.command("reindex")
def search_reindex() -> None:
    """Index every post anew (after an upgrade that changes how texts are analysed, or to
    repair the index), with a progress bar on a terminal. Each post stays found by its old
    entry until its new one replaces it; servers may run meanwhile."""
    from app.search.index import reindex
    from app.search.progress import count_progress

    settings = _settings()
    database = _database()
    try:
        with count_progress("indexing posts") as advance:
            indexed = reindex(database, settings.search_languages, advance)
    finally:
        database.dispose()
    _report_indexing(indexed, always=True)


def main() -> None:
    cli()
