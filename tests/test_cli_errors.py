"""What the command line says when it cannot work: one line, ``presseschau: ...``, the right
exit status, never a traceback; and what its help costs."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.core.db import create_db_engine
from app.core.migrations import downgrade, head_revision, upgrade
from tests.conftest import FreshDatabase
from tests.postgres_server import free_port

ROOT = Path(__file__).resolve().parents[1]
WXR = str(ROOT / "tests" / "data" / "blog.wxr")
# Loading any of these is what made `presseschau --help` take seconds.
HEAVY_MODULES = ("fastapi", "sqlalchemy", "sqlmodel", "app.main", "app.core.db", "alembic")


def _run(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``presseschau ARGS`` as its own process, as a user runs it."""
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False, timeout=timeout,
    )  # fmt: skip


def _one_line(stderr: str) -> str:
    """The single line a refused command writes, checked to be just that."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("presseschau: "), stderr
    return lines[0]


def test_help_answers_without_loading_the_application() -> None:
    shown_in_help = {
        ("--help",): "users",
        ("users", "create", "--help"): "admin",
        ("import", "archive", "--help"): "import",  # the default author
        ("serve", "--help"): "PORT",
    }
    for args, shown in shown_in_help.items():
        helped = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "app", *args], cwd=ROOT,
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert helped.returncode == 0, helped.stderr
        assert "Usage" in helped.stdout
        assert shown in helped.stdout
        # -X importtime writes one "import time: self | cumulative | module" line per module.
        imported = {line.rsplit("|", 1)[-1].strip() for line in helped.stderr.splitlines()}
        assert not imported & set(HEAVY_MODULES), sorted(imported & set(HEAVY_MODULES))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "PRESSESCHAU_DATABASE_URL: not a database URL; expected sqlite:///PATH"),
        ("mysql://anna:geheim@db/blog", "unsupported database URL scheme 'mysql'"),
    ],
)
def test_a_bad_database_url_is_one_line(url: str, message: str) -> None:
    for args in (["users", "list"], ["migrate"], ["serve"]):
        refused = _run(url, *args, timeout=60)
        assert refused.returncode == 1
        assert message in _one_line(refused.stderr)
        assert "geheim" not in refused.stderr


def test_a_refused_connection_is_one_line_without_the_password() -> None:
    url = f"postgresql://anna:geheim@127.0.0.1:{free_port()}/blog"
    for args in (["users", "list"], ["migrate"], ["serve"]):
        refused = _run(url, *args, timeout=60)
        assert refused.returncode == 1
        line = _one_line(refused.stderr)
        assert line.startswith("presseschau: cannot connect to the database postgresql")
        assert "Connection refused" in line
        assert "geheim" not in refused.stderr


def test_a_sqlite_file_in_a_directory_it_cannot_make_is_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    refused = _run(f"sqlite:///{blocked}/db/presseschau.sqlite3", "migrate", timeout=60)
    assert refused.returncode == 1
    assert "cannot create the directory of the database" in _one_line(refused.stderr)


# Every command that works on a database, with arguments it would accept on a migrated one.
COMMANDS: list[tuple[str, ...]] = [
    ("demo",),
    ("users", "list"),
    ("users", "create", "anna", "--role", "admin"),
    ("tokens", "create", "anna"),
    ("tokens", "list", "anna"),
    ("tokens", "revoke", "anna", "1"),
    ("export", "-"),
    ("import", "json", "-"),
    ("import", "wxr", WXR),
    ("import", "archive", WXR),
]


def test_every_command_names_an_unmigrated_database_and_says_to_migrate(
    backend: str, fresh_database_url: FreshDatabase, command_line: Any
) -> None:
    url = fresh_database_url(backend)
    expected = (
        f"presseschau: the database is not migrated (at none, latest is {head_revision()}): "
        "run `presseschau migrate` on it first"
    )
    for args in COMMANDS:
        refused = command_line(url, *args, stdin=b"{}")
        assert refused.exit_code == 1, (args, refused.output)
        assert _one_line(refused.stderr) == expected, args
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:  # and nothing was made on the way
            tables = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
                if backend == "sqlite"
                else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
        assert tables == []
    finally:
        engine.dispose()
    migrated = command_line(url, "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert command_line(url, "users", "create", "anna").exit_code == 0


def test_serve_refuses_to_start_on_a_database_behind_the_latest_migration(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    port = str(free_port())
    # Before the fix it started and answered 503 to every read: the timeout would end it.
    unmigrated = _run(url, "serve", "--port", port, timeout=60)
    assert unmigrated.returncode == 1
    assert "the database is not migrated" in _one_line(unmigrated.stderr)
    upgrade(url)
    downgrade(url, "-1")
    behind = _run(url, "serve", "--port", port, timeout=60)
    assert behind.returncode == 1
    line = _one_line(behind.stderr)
    assert f"the database is behind the latest migration (at {_previous(url)}" in line
    assert f"latest is {head_revision()}): run `presseschau migrate`" in line


def _previous(url: str) -> str:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def test_bad_values_and_names_are_one_line_and_change_nothing(
    backend: str, fresh_database_url: FreshDatabase, command_line: Any
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    assert command_line(url, "users", "create", "anna", "--role", "admin").exit_code == 0
    usage = {  # the command line itself is wrong: exit status 2
        ("tokens", "create", "anna", "--expires-in-days", "99999999"): "--expires-in-days",
        ("tokens", "create", "anna", "--expires-in-days", "bald"): "--expires-in-days",
        ("users", "create", "bert", "--role", "king"): "'king' is not one of",
        ("users", "create"): "missing argument",
        ("tokens", "revoke", "anna", "eins"): "invalid value",
    }
    for args, message in usage.items():
        refused = command_line(url, *args)
        assert refused.exit_code == 2, (args, refused.output)
        line = _one_line(refused.stderr)
        assert message in line, line
        assert line.endswith(f"(see `presseschau {' '.join(args[:2])} --help`)"), line
    refused_names = {
        "a/b": "name: ",
        "x" * 200: "name: ",
        "": "name: ",
    }
    for name, message in refused_names.items():
        refused = command_line(url, "users", "create", name)
        assert refused.exit_code == 1, (name, refused.output)
        assert message in _one_line(refused.stderr)
    taken = command_line(url, "users", "create", "anna")
    assert taken.exit_code == 1
    assert _one_line(taken.stderr) == "presseschau: a user named 'anna' exists already."
    listed = command_line(url, "users", "list")
    assert [line.split("\t")[1] for line in listed.stdout.splitlines()] == ["anna"]
    tokens = command_line(url, "tokens", "list", "anna")
    assert len(tokens.stdout.splitlines()) == 1  # the first token only


def test_a_bad_setting_names_its_environment_variable(
    fresh_database_url: FreshDatabase, monkeypatch: pytest.MonkeyPatch, command_line: Any
) -> None:
    monkeypatch.setenv("PRESSESCHAU_TIMEZONE", "Mars/Olympus")
    refused = command_line(fresh_database_url("sqlite"), "users", "list")
    assert refused.exit_code == 1
    assert _one_line(refused.stderr) == (
        "presseschau: PRESSESCHAU_TIMEZONE: unknown time zone 'Mars/Olympus'"
    )
