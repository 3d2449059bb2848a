"""The direct reads find their routes in the app by endpoint: each is answered at the path its
route has there, takes the route the framework would take for it, follows a route to another
path, and an app that lacks one of them (or changed its parameters) does not start, rather
than silently losing its fast path."""

import re

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from app.archives.router import router as archives_router
from app.direct_reads.routing import DIRECT_ROUTES, PostRead, Routing, SourceRead
from app.posts import router as posts
from app.sources import router as sources

SAMPLE_PARAMETERS = {"id_or_slug": "kurier", "year": "2022", "month": "01", "day": "10"}


def _routes(*, without: object = None) -> list[BaseRoute]:
    """The routes of the routers the direct reads answer for, but the one of ``without``."""
    routes = [*posts.router.routes, *archives_router.routes, *sources.router.routes]
    return [route for route in routes if getattr(route, "endpoint", None) is not without]


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[BaseRoute]:
    """The route the framework took for each request it handled itself."""
    taken: list[BaseRoute] = []
    handle = APIRoute.handle

    async def recording(self: APIRoute, scope: Scope, receive: Receive, send: Send) -> None:
        taken.append(scope["route"])
        await handle(self, scope, receive, send)

    monkeypatch.setattr(APIRoute, "handle", recording)
    return taken


def test_each_direct_read_takes_the_route_the_framework_takes(
    app: FastAPI, framework: TestClient, taken: list[BaseRoute]
) -> None:
    """Asked for a path of every GET route of the app, the direct reads claim those of their
    own routes and take there the route the framework takes; a path another route answers
    (one added before theirs, say) is never theirs."""
    routing = Routing(app.routes)
    claimed: list[object] = []
    for context in iter_route_contexts(app.routes):
        if context.path_format is None or "GET" not in (context.methods or ()):
            continue
        names = re.findall(r"{(\w+)}", context.path_format)
        path = context.path_format.format(
            **{name: SAMPLE_PARAMETERS.get(name, "1") for name in names}
        )
        found = routing.parse(path, b"")
        if found is None:
            continue
        framework.get(path)  # found or not: the route is chosen before the post is sought
        assert found[0] is taken[-1], path
        claimed.append(context.endpoint)
    assert {*claimed} == {direct.endpoint for direct in DIRECT_ROUTES}
    assert len(claimed) == len(DIRECT_ROUTES)


def test_a_route_given_another_path_takes_its_direct_read_along() -> None:
    moved = APIRouter()
    moved.add_api_route("/beitraege/{id_or_slug}", posts.get_post, methods=["GET"])
    routing = Routing([*_routes(without=posts.get_post), *moved.routes])

    found = routing.parse("/beitraege/12", b"")
    assert found is not None
    assert found[1] == PostRead(post_id=12, slug=None)
    assert routing.parse("/posts/12", b"") is None
    # The other direct reads stay where they are.
    other = routing.parse("/sources/kurier", b"")
    assert other is not None
    assert other[1] == SourceRead(source_id=None, slug="kurier")


def test_an_app_without_a_direct_reads_route_does_not_start() -> None:
    with pytest.raises(LookupError, match="'get_source'"):
        Routing(_routes(without=sources.get_source))


def test_a_route_whose_path_parameters_changed_does_not_start() -> None:
    renamed = APIRouter()
    renamed.add_api_route("/posts/{reference}", posts.get_post, methods=["GET"])
    with pytest.raises(LookupError, match=r"'get_post'.*\['id_or_slug'\].*\['reference'\]"):
        Routing([*_routes(without=posts.get_post), *renamed.routes])
