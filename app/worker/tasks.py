"""The work every worker of this release runs: each feature's handlers and periodic tasks,
registered here in one place."""

import time
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.posts.document_queue import store_queued_documents
from app.posts.documents import refresh_documents
from app.posts.publisher import publish_due
from app.posts.trash import empty_trash
from app.search.index import index_queued
from app.webhooks.delivery import BATCH as DELIVERY_BATCH
from app.webhooks.delivery import Sender
from app.worker.registry import JobContext, Registry, Released

REFRESH_DOCUMENTS = "refresh post documents"
PUBLISH_SCHEDULED = "publish scheduled posts"
EMPTY_TRASH = "empty the trash"
INDEX_POSTS = "index queued posts"
STORE_DOCUMENTS = "store queued post documents"
DELIVER_WEBHOOKS = "deliver webhooks"
REFRESH_INTERVAL = timedelta(minutes=5)
# A post leaves the trash within this of its last day there.
EMPTY_TRASH_INTERVAL = timedelta(hours=1)
# Posts per transaction: small, so each batch holds SQLite's write lock only briefly while a
# server writes beside the worker (`presseschau migrate`, with nothing else running, uses
# larger ones).
REFRESH_BATCH = 50
# Posts the search index takes in per sweep: a short write each. The sweep runs again at once
# while it finds a full batch, else after the worker's gathering moment (GATHER_SECONDS).
INDEX_BATCH = 50
# Documents the worker stores per sweep: rendered with no transaction open, then one short
# write (a few milliseconds of SQLite's write lock).
DOCUMENTS_BATCH = 100


def standard_registry(
    database: Database,
    zone: ZoneInfo,
    *,
    trash_days: int = 30,
    search_languages: Sequence[str] = DEFAULT_SEARCH_LANGUAGES,
    webhooks: Sender | None = None,
) -> Registry:
    """Every handler and periodic task, for a worker on ``database`` in the site's ``zone``
    that deletes posts trashed more than ``trash_days`` ago (0: none) and indexes posts for
    search in ``search_languages``."""
    registry = Registry()

    def refresh(context: JobContext) -> None:
        # Documents of another format or zone (after an upgrade without `presseschau
        # migrate`, or a change of zone): stored again, so anonymous reads use them.
        renewed = time.monotonic()

        def between_batches(_done: int) -> None:
            nonlocal renewed
            # A stopping worker gives the rest back; each batch stored so far stays.
            if context.stopping.is_set():
                raise Released
            # A refresh of a large site outlasts the lease: held on to, so no other worker
            # takes the job and refreshes the same posts beside it.
            if time.monotonic() - renewed > context.lease.total_seconds() / 2:
                context.renew()
                renewed = time.monotonic()

        refresh_documents(database, zone, between_batches, batch=REFRESH_BATCH)

    registry.every(REFRESH_DOCUMENTS, REFRESH_INTERVAL, refresh)
    # Within a poll (1 s by default) of its time, by whichever worker polls first.
    registry.sweep(PUBLISH_SCHEDULED, lambda: publish_due(database))
    # Within a poll of a write, a post is found by its new text: one batch per sweep (and
    # one step of a rename's posts), so the other sweeps are not held up by a large queue
    # (after an upgrade, a rename). It runs again at once while it takes full batches, and
    # gathers for a moment after one that emptied the queue, so posts written one after
    # another are stored many to a transaction; posts left out are logged and counted
    # (presseschau_search_left_out_total), not retried.
    languages = tuple(search_languages)
    registry.sweep(
        INDEX_POSTS,
        lambda: index_queued(database, languages, batch=INDEX_BATCH, rounds=1).progress,
        batch=INDEX_BATCH,
    )

    # The documents a write left to the worker (a rename's posts past the bound it stores
    # itself): read from their rows until then. Like the index, a batch per sweep, again at
    # once while it takes full ones.
    registry.sweep(
        STORE_DOCUMENTS,
        lambda: store_queued_documents(database, zone, DOCUMENTS_BATCH),
        batch=DOCUMENTS_BATCH,
    )

    def empty(context: JobContext) -> None:
        def between_batches() -> None:
            if context.stopping.is_set():
                raise Released

        empty_trash(database, trash_days, between_batches=between_batches)

    registry.every(EMPTY_TRASH, EMPTY_TRASH_INTERVAL, empty)
    if webhooks is not None:
        # Within a poll of the write that recorded its event; a full batch runs again at once.
        registry.sweep(
            DELIVER_WEBHOOKS, lambda: webhooks.deliver_due(database), batch=DELIVERY_BATCH
        )
    return registry
