"""The OpenAPI document, and Swagger UI served from the app itself (no CDN)."""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.core.errors import PROBLEM_JSON, Problem

SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"


def operation_id(route: APIRoute) -> str:
    """``{tag}-{name}``, so generated clients get readable method names."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


# Answers any API operation may give, whatever it does: a bad token, too many failed
# authentications, a database that is busy or down; and for bodies, one that is too large.
ANY_API_OPERATION = {
    "401": "A token was sent but is malformed, unknown, revoked or expired.",
    "429": "Too many failed authentications from this client; see Retry-After.",
    "503": "The database is busy or unreachable; see Retry-After.",
}
WITH_A_BODY = {
    "400": "The request body is not text in UTF-8.",
    "413": "The request body is larger than the limit.",
}


def _problem_everywhere(schema: dict[str, Any], api_prefix: str) -> None:
    """Every error response is a Problem; FastAPI's default 422 schema says otherwise."""
    problem_content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, path_item in schema.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if path.startswith(api_prefix):
                general = ANY_API_OPERATION | (WITH_A_BODY if "requestBody" in operation else {})
                for status, description in general.items():
                    responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = problem_content
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    defs = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(defs.pop("$defs", {}))
    components["Problem"] = defs


def install_openapi(app: FastAPI, *, api_prefix: str) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            _problem_everywhere(schema, api_prefix)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
        )
