import json
import logging
import os
import pathlib
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.core.logging import JsonFormatter
from app.main import create_app
from tests.factories import make_account


def test_every_response_has_a_request_id_and_security_headers(client: TestClient) -> None:
    for url in ("/api/v1/posts", "/api/v1/nothing", "/healthz"):
        response = client.get(url)
        assert len(response.headers["x-request-id"]) == 32
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in response.headers["content-security-policy"]
    docs = client.get("/docs")
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.7"})
    assert given.headers["x-request-id"] == "lb-42.7"
    forged = client.get("/healthz", headers={"X-Request-ID": "a\r\nSet-Cookie: x"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])
    assert "set-cookie" not in forged.headers


def test_log_lines_are_json_with_the_request_id_and_no_token(
    app: FastAPI,
    client: TestClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    editor = make_account(db)
    response = client.get(app.url_path_for("me"), headers=editor.headers)
    formatter = JsonFormatter()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    lines += [json.loads(formatter.format(record)) for record in caplog.records]
    access = [line for line in lines if line["logger"] == "presseschau.access"]
    assert access[-1]["request_id"] == response.headers["x-request-id"]
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/api/v1/me"
    assert access[-1]["method"] == "GET"
    assert access[-1]["level"] == "info"
    stamp = datetime.fromisoformat(access[-1]["time"])
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    assert all(editor.token not in json.dumps(line) for line in lines)


def test_access_log_can_be_switched_off_without_losing_error_logs(
    settings: Settings,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(settings.model_copy(update={"access_log": False}), db)

    @app.get("/boom", tags=["system"])
    async def boom() -> None:
        raise RuntimeError("kept in the error log")

    caplog.set_level(logging.INFO)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/posts").status_code == 200
        assert client.get("/boom").status_code == 500
    assert "presseschau.access" not in capsys.readouterr().err
    assert any("unhandled error on GET /boom" in record.getMessage() for record in caplog.records)


def test_unexpected_errors_are_500_problems_without_internals(
    app: FastAPI, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom", tags=["system"])
    async def boom() -> None:
        raise RuntimeError("secret internal state")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"]
    assert any("secret internal state" in (record.exc_text or "") for record in caplog.records)


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


def test_metrics_count_requests_by_route_template(app: FastAPI, client: TestClient) -> None:
    def scrape() -> str:
        # As Prometheus on the server's machine would.
        response = TestClient(app, client=("127.0.0.1", 9090)).get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return str(response.text)

    labels = {"method": "GET", "operation": "get_post", "status": "404"}
    before = _sample(scrape(), "presseschau_http_requests_total", **labels)
    for slug in ("eins", "zwei", "drei"):
        client.get(app.url_path_for("get_post", id_or_slug=slug))
    text = scrape()
    assert _sample(text, "presseschau_http_requests_total", **labels) == before + 3
    assert "presseschau_http_request_duration_seconds_bucket" in text
    assert _sample(text, "presseschau_db_connections_opened_total") >= 1
    assert "presseschau_db_connections_in_use" in text
    # Ids and slugs never become label values: one series per operation.
    assert "eins" not in text


def test_a_sqlite_server_loads_neither_the_postgresql_driver_nor_alembic(
    tmp_path: pathlib.Path,
) -> None:
    """Every module a server imports stays in its memory: psycopg and its libraries are
    for PostgreSQL only, and Alembic only migrates."""
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3"}
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], env=env, check=True, capture_output=True
    )
    script = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import create_app\n"
        "with TestClient(create_app()) as client:\n"
        "    statuses = [client.get(path).status_code for path in ('/readyz', '/api/v1/posts')]\n"
        "loaded = sorted({name.split('.')[0] for name in sys.modules} & {'psycopg', 'alembic'})\n"
        "print(statuses, loaded)\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    assert served.stdout.strip() == "[200, 200] []"
