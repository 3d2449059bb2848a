"""Unknown query parameters are refused, as unknown body fields are.

A misspelt filter (``?sources=tass`` for ``?source=tass``) would otherwise be ignored and the
client would get an unfiltered list that looks like an answer. Each operation's parameters are
read once from FastAPI's own description of it (its dependant), so every API operation,
whatever its dependencies declare, refuses what it does not declare, without a list kept by
hand. The probes and the docs are left to take what monitors and browsers add.
"""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute

# A URL may hold thousands of parameters: the answer names the first this many, so that its
# size stays bounded.
_NAMED_AT_MOST = 20


def declared_query_parameters(routes: list[BaseRoute]) -> dict[int, frozenset[str]]:
    """Each operation's query parameters, those its routers' dependencies read included, by
    the ``id`` of its route (routes compare by value and cannot be keys themselves)."""
    declared: dict[int, frozenset[str]] = {}
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            key = id(route)
            declared[key] = declared.get(key, frozenset()) | _read_by(context.dependant)
    return declared


def _read_by(dependant: Dependant) -> frozenset[str]:
    """The query parameters a dependant and its dependencies read, with the fields of query
    models (``Annotated[PageParams, Query()]``) spelt out."""
    names: set[str] = set()
    pending: list[Dependant] = [dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for field in dependant.query_params:
            model = field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names |= {info.alias or name for name, info in model.model_fields.items()}
            else:
                names.add(field.alias)
    return frozenset(names)


async def refuse_unknown_query_parameters(request: Request) -> None:
    """A dependency of every API operation: a 422 naming each parameter it does not take."""
    if not request.scope.get("query_string"):
        return
    declared: dict[int, frozenset[str]] | None = getattr(
        request.app.state, "query_parameters", None
    )
    if declared is None:  # on the first request, when every route is there
        declared = request.app.state.query_parameters = declared_query_parameters(
            request.app.routes
        )
    allowed = declared.get(id(request.scope.get("route")))
    if allowed is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in allowed]
    if unknown:
        takes = ", ".join(sorted(allowed)) if allowed else "none"
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"Unknown query parameter; this operation takes: {takes}.",
                    "type": "extra_forbidden",
                }
                for name in unknown[:_NAMED_AT_MOST]
            ]
        )
