"""The Python client openapi-python-client generates from openapi.json (configured by
clients/python/config.yml): generated without a warning, type-checked with mypy --strict
together with clients/python/check.py, which is then run against the live API on each
database."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.db import Database
from tests.client_checks import ROOT, SPEC, check_seen, live_api

CLIENT = ROOT / "clients" / "python"
BIN = Path(sys.executable).parent


def _run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """clients/python/check.py beside the package generated from openapi.json, type-checked."""
    work = tmp_path_factory.mktemp("python-client")
    output = _run(
        str(BIN / "openapi-python-client"), "generate", "--path", str(SPEC),
        "--output-path", str(work / "presseschau_client"), "--meta", "none",
        "--config", str(CLIENT / "config.yml"),
        cwd=work,
    )  # fmt: skip
    # One line naming what it wrote; a warning (an operation or response left out) is more.
    assert output.strip() == f"Generating {work / 'presseschau_client'}", output
    check = work / "check.py"
    shutil.copy(CLIENT / "check.py", check)
    # Run where no project configuration applies: --strict alone decides.
    _run(
        str(BIN / "mypy"), "--strict", "--no-incremental", "--cache-dir", os.devnull,
        "presseschau_client", "check.py",
        cwd=work,
    )  # fmt: skip
    return check


def test_the_python_client_reads_pages_searches_writes_and_is_refused_when_stale(
    program: Path, db: Database, settings: Settings
) -> None:
    with live_api(db, settings) as api:
        environment = {**os.environ, "PYTHONPATH": str(program.parent)}
        printed = _run(
            sys.executable, str(program), api.base, api.token, cwd=program.parent, env=environment
        )
    check_seen(printed)
