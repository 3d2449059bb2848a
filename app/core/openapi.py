"""The OpenAPI document, and Swagger UI served from the app itself (no CDN)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from app.core.errors import PROBLEM_JSON, PreconditionProblem, Problem, ValidationProblem

SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"
_SCHEMA_REF = "#/components/schemas/"


def operation_id(route: APIRoute) -> str:
    """The route's name (``list_posts``), unique across the API: generators already group
    operations by tag (openapi-python-client's ``api/posts/list_posts.py``), so a tag in the
    id would stutter (``posts_list_posts``); openapi-typescript reads
    ``operations["list_posts"]``."""
    return route.name


# Answers any API operation may give, whatever it does: a bad token, too many failed
# authentications, a database that is busy or down; and for bodies, one that is too large.
ANY_API_OPERATION = {
    "401": "A token was sent but is malformed, unknown, revoked or expired.",
    "429": "Too many failed authentications from this client; see Retry-After.",
    "422": "A parameter is unknown or malformed.",
    "503": "The database is busy or unreachable; see Retry-After.",
}
WITH_A_BODY = {
    "400": "The request body is not text in UTF-8.",
    "413": "The request body is larger than the limit.",
}


# GETs whose responses set their own Cache-Control (a preview, the export's stream) are left
# alone by the HTTP cache, so they never answer 304; every other API GET may.
_NEVER_NOT_MODIFIED = {"preview_post", "export_database"}
NOT_MODIFIED = {
    "description": "Not modified: the If-None-Match (or If-Modified-Since) sent names the "
    "current representation. No body; ETag and Cache-Control as a 200 would send them."
}


def _declare_not_modified(schema: dict[str, Any], api_prefix: str) -> None:
    """The HTTP cache answers conditional GETs of the API with a bodiless 304; declared, so
    generated clients expect it instead of treating it as an undocumented status."""
    for path, path_item in schema.get("paths", {}).items():
        operation = path_item.get("get")
        if (
            path.startswith(f"{api_prefix}/")
            and operation is not None
            and operation.get("operationId") not in _NEVER_NOT_MODIFIED
        ):
            operation.setdefault("responses", {})["304"] = dict(NOT_MODIFIED)


# The error statuses whose bodies carry more than a Problem's members.
_PROBLEM_SCHEMAS = {"422": "ValidationProblem", "412": "PreconditionProblem"}


def _problem_everywhere(schema: dict[str, Any], api_prefix: str) -> None:
    """Every error response is a Problem (a 422 a ValidationProblem, the only one that may
    carry ``errors``, and a 412 a PreconditionProblem); FastAPI's default 422 schema says
    otherwise."""
    for path, path_item in schema.get("paths", {}).items():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if path.startswith(api_prefix):
                general = ANY_API_OPERATION | (WITH_A_BODY if "requestBody" in operation else {})
                for status, description in general.items():
                    responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    name = _PROBLEM_SCHEMAS.get(status, "Problem")
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    # An operation that declared a Problem of its own (a bulk refusal) keeps it.
                    declared = response.get("content", {}).get("application/json", {})
                    if declared.get("schema", {}).get("$ref", "").endswith("Problem"):
                        ref = declared["schema"]
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
    for path_item in schema.get("webhooks", {}).values():
        for operation in path_item.values():
            # A receiver is not this app: its answers are what app.webhooks.openapi declares.
            operation.get("responses", {}).pop("422", None)
            for response in operation.get("responses", {}).values():
                response.pop("content", None)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    for model in (Problem, ValidationProblem, PreconditionProblem):
        defs = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(defs.pop("$defs", {}))
        components[model.__name__] = defs


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


def _declare_security(
    schema: dict[str, Any], routes: list[BaseRoute], token_required: Callable[..., Any]
) -> None:
    """Operations that need a token say so; those that only look at one when it is sent
    (public reads, likes) declare it optional, so Swagger UI and generated clients do not
    ask anonymous callers for one. FastAPI declares every scheme a dependency uses as
    required; which operation is which is read from its dependencies, here, once."""
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute) or not context.include_in_schema:
            continue
        path_item = schema["paths"].get(context.path_format, {})
        for method in context.methods or ():
            operation = path_item.get(method.lower())
            if operation is None or "security" not in operation:
                continue
            if not _depends_on(context.dependant, token_required):
                operation["security"] = [{}, *operation["security"]]


def _optional_in_requests(schema: dict[str, Any]) -> None:
    """A request body's field that has a default must read as optional to client generators.

    openapi-typescript (with its default ``defaultNonNullable``) types a component's property
    that has a ``default`` as always present, ``required`` or not, so ``PostCreate.body``
    came out as a field every client had to send. In schemas that only requests use, the
    default moves into the description, which Swagger UI shows all the same."""
    components = schema.get("components", {}).get("schemas", {})
    in_requests: set[str] = set()
    in_responses: set[str] = set()
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            _referenced(operation.get("requestBody", {}), components, in_requests)
            _referenced(operation.get("responses", {}), components, in_responses)
    for name in in_requests - in_responses:
        component = components[name]
        required = set(component.get("required", ()))
        for field, prop in component.get("properties", {}).items():
            if field in required or "default" not in prop:
                continue
            default = json.dumps(prop.pop("default"), ensure_ascii=False)
            described = prop.get("description", "").rstrip()
            prop["description"] = f"{described} Default: {default}.".lstrip()


def _query_defaults_described(schema: dict[str, Any]) -> None:
    """A query parameter's default is applied by the server; declared as a ``default``,
    generators send it on every call (openapi-python-client's ``page: int = 1``) and Swagger
    UI fills it in, so a cursor went with ``page=1`` and was refused. It moves into the
    description, as request bodies' defaults do."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", ()):
                declared = parameter.get("schema", {})
                if parameter.get("in") != "query" or "default" not in declared:
                    continue
                default = json.dumps(declared.pop("default"), ensure_ascii=False)
                for described in (parameter, declared):
                    text = described.get("description", "").rstrip()
                    described["description"] = f"{text} Default: {default}.".lstrip()


def _referenced(node: Any, components: dict[str, Any], found: set[str]) -> None:
    """The names of the component schemas ``node`` refers to, directly or not."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
            name = ref.removeprefix(_SCHEMA_REF)
            if name not in found and name in components:
                found.add(name)
                _referenced(components[name], components, found)
        for value in node.values():
            _referenced(value, components, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, components, found)


def document_text(app: FastAPI) -> str:
    """The app's OpenAPI document as the repository keeps it (``openapi.json``): indented and
    ending in a newline, so a change to it reads as a diff of the lines it touches."""
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def install_openapi(app: FastAPI, *, api_prefix: str, token_required: Callable[..., Any]) -> None:
    """``token_required``: the dependency of the operations that refuse anonymous callers."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                webhooks=app.webhooks.routes,
                tags=app.openapi_tags,
            )
            _problem_everywhere(schema, api_prefix)
            _declare_security(schema, app.routes, token_required)
            _declare_not_modified(schema, api_prefix)
            _optional_in_requests(schema)
            _query_defaults_described(schema)
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
