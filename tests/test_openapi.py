import re

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_every_operation_is_documented_for_client_generators(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Problem"]["required"] == ["title", "status", "detail"]
    seen = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert len(operation["tags"]) == 1, where
            assert (
                operation["operationId"]
                == f"{operation['tags'][0]}-{operation['operationId'].split('-', 1)[1]}"
            )
            assert re.fullmatch(r"[a-z]+-[a-z_]+", operation["operationId"]), where
            assert operation["operationId"] not in seen
            seen.add(operation["operationId"])
            assert operation.get("summary"), where
            assert operation.get("description"), where
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, where
            for code in success:
                if code != "204" and path != "/metrics":
                    assert "application/json" in operation["responses"][code]["content"], where
            errors = [code for code in operation["responses"] if code[0] in "45"]
            for code in errors:
                content = operation["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], where
            if path.startswith("/api/") and method != "get":
                assert "422" in errors or method == "delete", where


def test_writes_declare_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    create = spec["paths"]["/api/v1/posts"]["post"]
    assert {"HTTPBearer": []} in create["security"]


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
