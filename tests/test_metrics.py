"""/metrics answers callers on the server's machine and scrapers with the metrics token.

It touches no database, so these tests run on an app without one."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.core.config import Settings
from app.core.security import generate_token
from app.main import create_app

TOKEN = "ein-langes-zufaelliges-metrik-geheimnis"
OUTSIDE = ("203.0.113.5", 40000)


def _app(metrics_token: str = "") -> FastAPI:
    return create_app(
        Settings(database_url="sqlite:///:memory:", metrics_token=SecretStr(metrics_token))
    )


def _scrape(
    app: FastAPI, client: tuple[str, int], headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    response = TestClient(app, client=client).get("/metrics", headers=headers)
    return response.status_code, response.text, dict(response.headers)


def _is_metrics(text: str) -> bool:
    return "presseschau_http_requests_total" in text


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
@pytest.mark.parametrize("token", ["", TOKEN])
def test_callers_on_this_machine_get_metrics(address: str, token: str) -> None:
    status, text, headers = _scrape(_app(token), (address, 50000))
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert _is_metrics(text)


@pytest.mark.parametrize(
    "client",
    [OUTSIDE, ("10.0.0.7", 1), ("2001:db8::1", 1), ("testclient", 1)],
    ids=str,
)
def test_others_are_refused_without_a_metrics_token_configured(client: tuple[str, int]) -> None:
    app = _app()
    for headers in (None, {"Authorization": f"Bearer {TOKEN}"}):
        status, text, response_headers = _scrape(app, client, headers)
        assert status == 403
        assert response_headers["content-type"] == "application/problem+json"
        assert "PRESSESCHAU_METRICS_TOKEN" in text
        assert not _is_metrics(text)


@pytest.mark.parametrize(
    "forwarded",
    [
        {"X-Forwarded-For": "203.0.113.5"},
        {"Forwarded": "for=203.0.113.5"},
        {"X-Real-IP": "203.0.113.5"},
    ],
    ids=lambda headers: next(iter(headers)),
)
def test_a_request_through_a_proxy_on_this_machine_is_not_local(
    forwarded: dict[str, str],
) -> None:
    status, text, _headers = _scrape(_app(), ("127.0.0.1", 50000), forwarded)
    assert status == 403
    assert not _is_metrics(text)


def test_others_need_the_metrics_token() -> None:
    app = _app(TOKEN)
    for headers in (
        None,
        {"Authorization": "Bearer falsch"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        # An API token is not the metrics token.
        {"Authorization": f"Bearer {generate_token()}"},
        {"Authorization": f"Basic {TOKEN}"},
    ):
        status, text, response_headers = _scrape(app, OUTSIDE, headers)
        assert status == 401, headers
        assert response_headers["www-authenticate"] == "Bearer"
        assert response_headers["content-type"] == "application/problem+json"
        assert not _is_metrics(text)
    status, text, _headers = _scrape(app, OUTSIDE, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert _is_metrics(text)
