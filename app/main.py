"""The application: create_app() wires settings, database, routers and error handling."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from importlib.metadata import version

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.archives.router import router as archives_router
from app.audit.router import router as audit_router
from app.auth.authentication import Authenticator
from app.auth.dependencies import get_viewer, require_viewer
from app.auth.router import router as auth_router
from app.caching.middleware import HttpCache
from app.caching.probe import ContentVersionProbe
from app.caching.store import ResponseStore
from app.compression.middleware import Compression
from app.core.clients import ClientKeys
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.driver import DriverConnection
from app.core.errors import install_error_handlers
from app.core.front import FrontedFastAPI
from app.core.head import HeadAsGet
from app.core.keys import PREVIEW_LINK_KEY, DatabaseKey
from app.core.limits import BodySizeLimit
from app.core.metrics import instrument_engine
from app.core.middleware import RequestContext
from app.core.openapi import ASSETS_PATH, install_openapi, operation_id
from app.core.query_params import refuse_unknown_query_parameters
from app.derived.root import open_database
from app.direct_reads.middleware import DirectReads
from app.direct_reads.reader import DirectReader
from app.direct_reads.routing import Routing
from app.feeds.router import router as feeds_router
from app.posts.router import router as posts_router
from app.previews.links import PreviewLinks
from app.previews.router import router as previews_router
from app.revisions.router import router as revisions_router
from app.search.router import router as search_router
from app.sources.router import router as sources_router
from app.system.router import router as system_router
from app.tags.router import router as tags_router
from app.transfer.router import router as transfer_router
from app.webhooks.openapi import document_webhooks
from app.webhooks.router import router as webhooks_router
from app.worker.process import STOP_SECONDS, worker_for

API_PREFIX = "/api/v1"

DESCRIPTION = """
A headless content API for press-review blogs: posts republished, translated or excerpted
from outside publications (**sources**), shown in **day archives** by the site's local days.

* Reading is public: anonymous callers see published posts.
* Writing needs an API token: click **Authorize** and paste a `psk_...` token
  (create one with `presseschau users create NAME --role editor`).
* For a frontend's preview mode, a token of kind `preview` (POST /tokens) reads what its
  user may read of posts, sources and archives, drafts included, and nothing else; and a
  post's preview link (POST /posts/{id_or_slug}/preview-link) reads that one post as it is
  now without any token, until it expires.
* Errors are `application/problem+json` bodies with a `detail` that says what went wrong;
  unknown body fields and unknown query parameters are a 422 that names them.
* `HEAD` works wherever `GET` does.
* A new post without a `source_id` gets its source recognised from its title and
  `original_url`, as imports do (`recognize_source: false` turns it off); the 201's
  `source_match` says which rule matched.
* Limits: `per_page` 1–100; request bodies up to 2 MiB (configurable); field lengths as
  each schema states.
"""

TAGS = [
    {"name": "posts", "description": "Posts: list, read, write, like."},
    {
        "name": "revisions",
        "description": "Every state of a post's content: who changed what when, the "
        "differences, and restoring an earlier one.",
    },
    {"name": "sources", "description": "The publications posts come from."},
    {
        "name": "tags",
        "description": "The tags posts carry, with their counts; renamed and merged by editors.",
    },
    {"name": "archives", "description": "Years, months and days that have posts."},
    {
        "name": "feeds",
        "description": "RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest published posts, "
        "for the site or any filter of /posts.",
    },
    {"name": "auth", "description": "Who the current token belongs to."},
    {"name": "tokens", "description": "API tokens: created, listed, revoked."},
    {"name": "users", "description": "Users and their roles (admins)."},
    {
        "name": "export",
        "description": "Everything the database holds, to restore elsewhere (admins).",
    },
    {"name": "system", "description": "Health and readiness probes."},
]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The app on ``database`` (one ``open_database`` made, with its hooks), or on the
    configured database, opened here and disposed of at shutdown."""
    settings = settings or get_settings()
    owns_database = database is None
    if database is None:
        database = open_database(settings)
        instrument_engine(database.engine)

    # One driver connection for token checks, the cache's version checks and the direct reads
    # that follow them in the same request.
    driver = DriverConnection(database)
    cache_bytes = settings.response_cache_mb * 1024 * 1024
    client_keys = ClientKeys(database, settings.client_hash_key.get_secret_value())
    reader = (
        DirectReader(driver, zone=settings.zone, language=settings.language, keys=client_keys)
        if settings.direct_reads
        else None
    )

    # A server runs the background jobs too, so one process is all a site needs. An app given
    # its database by the caller (tests, embedding) leaves background work to that caller.
    worker = worker_for(database, settings) if settings.worker and owns_database else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        if owns_database:
            # What a server has made by now (the app, its routes and schemas, the driver's
            # caches) lives as long as the process: frozen, the collector's full passes no
            # longer walk it. They had taken half the CPU of a search of 10,000 matches.
            gc.freeze()
        yield
        if worker is not None:
            # Joining blocks: on a thread, so the loop goes on closing connections meanwhile.
            await anyio.to_thread.run_sync(partial(worker.stop, STOP_SECONDS))
        driver.close()
        if owns_database:
            database.dispose()

    app = FrontedFastAPI(
        title="Presseschau",
        version=version("presseschau"),
        summary="Headless content API for press-review blogs.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        # Presseschau has its own metrics and logs; FastAPI's OpenTelemetry hooks would ask
        # for providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.database = database
    app.state.client_keys = client_keys
    app.state.preview_links = PreviewLinks(DatabaseKey(database, PREVIEW_LINK_KEY))
    app.state.authenticator = Authenticator(
        driver,
        failure_limit=settings.auth_failure_limit,
        failure_window=timedelta(seconds=settings.auth_failure_window_seconds),
        touch_after=timedelta(seconds=settings.token_touch_seconds),
    )

    # Every API route checks a token when one is sent, so a revoked one is refused even where
    # reading is public; requests without a token never reach the database for it.
    # Every API operation refuses parameters it does not take: a misspelt filter is an error.
    # The probes and the docs take what monitors and browsers add (a cache buster, say).
    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(get_viewer), Depends(refuse_unknown_query_parameters)],
    )
    routers = (
        posts_router,
        previews_router,
        revisions_router,
        sources_router,
        tags_router,
        archives_router,
        search_router,
        feeds_router,
        auth_router,
        transfer_router,
        webhooks_router,
    )
    for router in (*routers, audit_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(system_router)

    install_error_handlers(app)
    document_webhooks(app)
    install_openapi(app, api_prefix=API_PREFIX, token_required=require_viewer)
    if reader is not None:
        # Added first, so it runs last: inside the response cache, which keeps its answers, and
        # in front of the framework's stack, which a direct read does not need.
        # Matched by the app's own routes, found by their endpoints.
        app.add_front_middleware(DirectReads, reader=reader, routing=Routing(app.routes))
    app.add_front_middleware(
        HttpCache,
        prefix=API_PREFIX + "/",
        public_cache_control=settings.public_cache_control,
        probe=ContentVersionProbe(driver) if cache_bytes else None,
        store=ResponseStore(cache_bytes) if cache_bytes else None,
        compress_min_bytes=settings.compression_min_bytes if settings.compression else None,
    )
    if settings.cors_origins:
        app.add_front_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
            expose_headers=["X-Total-Count", "Link", "ETag", "Location"],
            max_age=600,
        )
    # An oversized body is refused before anything else looks at the request; the request
    # context wraps even that refusal, so it too has an id, a log line and safe headers.
    app.add_front_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_timeout_seconds,
    )
    # Outside the cache and the direct reads, so that a HEAD is answered as fast as its GET.
    app.add_front_middleware(HeadAsGet)
    if settings.compression:
        # Outside HeadAsGet, so it knows a HEAD (answered uncompressed) from its GET; it
        # reads Accept-Encoding for the response cache, which compresses what it keeps, and
        # compresses the rest (writes' bodies, errors, the docs) itself.
        app.add_front_middleware(
            Compression,
            min_bytes=settings.compression_min_bytes,
            kept_paths=(ASSETS_PATH + "/",),
        )
    app.add_front_middleware(
        RequestContext, docs_paths=("/docs", ASSETS_PATH), access_log=settings.access_log
    )
    return app


def create_served_app() -> FastAPI:
    """The app as `presseschau serve` runs it: the background jobs run in the one worker
    process serve starts beside its own (app.worker.supervisor), not in a thread of each."""
    return create_app(get_settings().model_copy(update={"worker": False}))
