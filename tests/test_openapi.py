import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[1]
FEED_MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


def test_every_operation_is_documented_for_client_generators(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    seen = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert len(operation["tags"]) == 1, where
            # The route's name: generators group by tag, so a tag in the id would stutter
            # (openapi-python-client's api/posts/posts_list_posts.py).
            assert re.fullmatch(r"[a-z][a-z_]*[a-z]", operation["operationId"]), where
            assert operation["operationId"] not in seen
            seen.add(operation["operationId"])
            assert operation.get("summary"), where
            assert operation.get("description"), where
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, where
            # Metrics are Prometheus's text; a feed is in its format's own media type.
            media_type = "application/json"
            if path.startswith("/api/v1/feeds/"):
                media_type = FEED_MEDIA_TYPES[path.rsplit(".", 1)[-1]]
            for code in success:
                if code != "204" and path != "/metrics":
                    assert media_type in operation["responses"][code]["content"], where
            errors = [code for code in operation["responses"] if code[0] in "45"]
            for code in errors:
                content = operation["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], where
                schema = content["application/problem+json"]["schema"]["$ref"]
                expected = {"422": "ValidationProblem", "412": "PreconditionProblem"}.get(
                    code, "Problem"
                )
                if path.endswith("/posts/bulk") and code == "409":
                    expected = "BulkProblem"  # the refused posts, each with its reason
                assert schema == f"#/components/schemas/{expected}", where
            if path.startswith("/api/") and method != "get":
                assert "422" in errors or method == "delete", where


def test_conditional_gets_declare_their_304(app: FastAPI, client: TestClient, db: Database) -> None:
    """Each API GET that the HTTP cache may answer 304 declares it, without a body, and one
    answered so really is; a preview (no-store) declares none."""
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        if "get" not in item:
            continue
        responses = item["get"]["responses"]
        if not path.startswith("/api/") or item["get"]["operationId"] in (
            "preview_post",
            "export_database",
        ):
            assert "304" not in responses, path
        else:
            assert "content" not in responses["304"], path
    url = app.url_path_for("list_posts")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_swagger_ui_works_without_the_internet(app: FastAPI, client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page.text)
    assert external == []
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)""", page.text)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
    assert "persistAuthorization" in page.text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migration"]


PUBLIC_OPERATIONS = {
    "GET /api/v1/posts",
    "GET /api/v1/posts/{id_or_slug}",
    "POST /api/v1/posts/{id_or_slug}/likes",
    "GET /api/v1/posts/{post_id}/preview",
    "GET /api/v1/sources",
    "GET /api/v1/sources/{id_or_slug}",
    "GET /api/v1/tags",
    "GET /api/v1/tags/{slug}",
    "GET /api/v1/archives",
    "GET /api/v1/archives/{year}/{month}",
    "GET /api/v1/archives/{year}/{month}/{day}",
    "GET /api/v1/search",
    "GET /api/v1/feeds/posts.rss",
    "GET /api/v1/feeds/posts.atom",
    "GET /api/v1/feeds/posts.json",
}


def test_only_operations_that_need_a_token_require_one(client: TestClient) -> None:
    """Swagger UI shows a lock, and generated clients demand a token, only where one is
    needed; public reads (and likes) take one optionally, the probes none, and /metrics its own
    secret optionally."""
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    public, private = set(), set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            if path == "/metrics":  # its own secret, needed only from other machines
                assert operation["security"] == [{}, {"MetricsToken": []}], where
            elif not path.startswith("/api/"):
                assert "security" not in operation, where
            elif operation["security"] == [{}, {"bearer": []}]:
                public.add(where)
            else:
                assert operation["security"] == [{"bearer": []}], where
                private.add(where)
    assert public == PUBLIC_OPERATIONS
    assert {"POST /api/v1/posts", "PATCH /api/v1/posts/{id_or_slug}", "GET /api/v1/me"} < private


def _schemas_of(spec: dict[str, Any], part: str) -> set[str]:
    """The component schemas the operations' ``part`` (requestBody, responses) refers to."""
    components = spec["components"]["schemas"]
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.removeprefix("#/components/schemas/")
            if ref and name not in found:
                found.add(name)
                walk(components[name])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for item in spec["paths"].values():
        for operation in item.values():
            walk(operation.get(part, {}))
    return found


def test_request_fields_with_defaults_read_as_optional(client: TestClient) -> None:
    """openapi-typescript types a schema property with a ``default`` as always present, even
    when ``required`` leaves it out: request bodies carry their defaults in descriptions."""
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    in_requests = _schemas_of(spec, "requestBody")
    assert {"PostCreate", "SourceCreate", "TokenCreate", "UserCreate"} <= in_requests
    for name in in_requests:
        for field, prop in components[name].get("properties", {}).items():
            assert "default" not in prop, f"{name}.{field}"
    create = components["PostCreate"]
    assert create["required"] == ["title"]
    assert create["properties"]["status"]["description"].endswith('Default: "draft".')
    assert create["properties"]["body"]["description"].endswith('Default: "".')


def test_query_parameters_leave_their_defaults_to_the_server(client: TestClient) -> None:
    """A declared default is sent by generated clients on every call (and filled in by
    Swagger UI): ``page=1`` beside a cursor is refused. Defaults are described instead."""
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", ()):
                where = f"{method.upper()} {path} {parameter['name']}"
                assert "default" not in parameter["schema"], where
    listing = spec["paths"]["/api/v1/posts"]["get"]["parameters"]
    page = next(parameter for parameter in listing if parameter["name"] == "page")
    assert page["description"].endswith("Default: 1.")


def test_responses_require_every_field_they_always_send(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    for name in _schemas_of(spec, "responses") - {"ValidationProblem"}:
        schema = components[name]
        assert sorted(schema.get("required", [])) == sorted(schema.get("properties", {})), name


def _conforms(body: dict[str, Any], schema: dict[str, Any]) -> None:
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) <= set(body) <= set(schema["properties"])
    for field, value in body.items():
        kind = schema["properties"][field]["type"]
        assert isinstance(value, {"string": str, "integer": int, "array": list}[kind]), field


def test_problem_bodies_are_as_the_spec_declares(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """A 404 has no ``errors`` (not even null); a validation 422 lists them; a 422 about the
    data (an unknown source) has a detail and no ``errors``."""
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    editor = make_account(db)
    missing = client.get(app.url_path_for("get_post", id_or_slug="nirgends"))
    assert missing.status_code == 404
    assert "errors" not in missing.json()
    _conforms(missing.json(), components["Problem"])
    url = app.url_path_for("create_post")
    invalid = client.post(url, headers=editor.headers, json={"title": "", "extra": 1})
    assert invalid.status_code == 422
    assert [error["loc"] for error in invalid.json()["errors"]] == [
        ["body", "title"],
        ["body", "extra"],
    ]
    _conforms(invalid.json(), components["ValidationProblem"])
    unknown = client.post(url, headers=editor.headers, json={"title": "T", "source_id": 999})
    assert unknown.status_code == 422
    assert "errors" not in unknown.json()
    _conforms(unknown.json(), components["ValidationProblem"])
    unauthorized = client.post(url, json={"title": "T"})
    assert unauthorized.status_code == 401
    _conforms(unauthorized.json(), components["Problem"])


def test_the_committed_spec_is_the_one_the_command_writes(tmp_path: Path) -> None:
    """``openapi.json`` is what clients are generated from: a change to the API's shape must
    change it too, so every such change is reviewed. The command needs no database."""
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    written = subprocess.run(
        [sys.executable, "-m", "app", "openapi", "-"], cwd=ROOT, env=env, capture_output=True,
        text=True, check=False, timeout=120,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert written.stdout == (ROOT / "openapi.json").read_text(encoding="utf-8"), (
        "openapi.json differs from the app's spec: run `presseschau openapi openapi.json` "
        "and review the diff"
    )
    assert not (tmp_path / "none.sqlite3").exists()
