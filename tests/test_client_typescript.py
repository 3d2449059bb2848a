"""The TypeScript client a frontend generates from openapi.json (openapi-typescript and
openapi-fetch, clients/typescript/): generated without a warning, compiled with
``tsc --strict``, and run with Node against the live API on each database."""

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.db import Database
from tests.client_checks import ROOT, SPEC, check_seen, live_api

PROJECT = ROOT / "clients" / "typescript"
STAMP = PROJECT / "node_modules" / ".lock-sha256"
NPM = shutil.which("npm")
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NPM is None or NODE is None, reason="npm and node are needed for the TypeScript client"
)


def _run(*command: str, cwd: Path = PROJECT, timeout: float = 300) -> str:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _installed() -> None:
    """``npm ci`` from the lock file, once for as long as the lock does not change (test
    processes running at once wait for the first one's install)."""
    lock = hashlib.sha256((PROJECT / "package-lock.json").read_bytes()).hexdigest()
    with (PROJECT / "package-lock.json").open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if not STAMP.exists() or STAMP.read_text() != lock:
            assert NPM is not None
            _run(NPM, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
            STAMP.write_text(lock)


@pytest.fixture(scope="module")
def program() -> Iterator[Path]:
    """The check program compiled against the generated types; its directory is removed."""
    _installed()
    build = PROJECT / f".build-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    try:
        for source in [*(PROJECT / "src").glob("*.ts"), PROJECT / "tsconfig.json"]:
            shutil.copy(source, build)
        generator = PROJECT / "node_modules" / ".bin" / "openapi-typescript"
        output = _run(str(generator), str(SPEC), "-o", str(build / "schema.d.ts"))
        # openapi-typescript prints its banner and one line naming what it wrote; anything
        # else is a warning about the spec.
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 2, output
        assert "→" in lines[1], output
        tsc = PROJECT / "node_modules" / ".bin" / "tsc"
        _run(str(tsc), "--strict", "-p", str(build / "tsconfig.json"))
        yield build / "out" / "check.js"
    finally:
        shutil.rmtree(build, ignore_errors=True)


def test_the_typescript_client_reads_pages_searches_writes_and_is_refused_when_stale(
    program: Path, db: Database, settings: Settings
) -> None:
    assert NODE is not None
    with live_api(db, settings) as api:
        printed = _run(NODE, str(program), api.base, api.token, cwd=program.parent, timeout=120)
    check_seen(printed)
