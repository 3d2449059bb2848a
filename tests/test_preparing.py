"""Inputs are prepared (markup cleaned, bodies rendered) on threads of their own: a request
whose body takes long to render keeps no other write waiting."""

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import PREPARING_THREADS, WRITE_THREADS, Database
from app.posts.schemas import PostCreate
from tests.factories import make_account, make_post

API = "/api/v1"


def test_bodies_being_rendered_hold_no_write_thread(
    app: FastAPI, db: Database, monkeypatch: Any
) -> None:
    editor = make_account(db)
    liked = make_post(db, editor)
    release = threading.Event()
    rendering = threading.Semaphore(0)
    prepared = PostCreate.prepared

    def slow_prepared(self: PostCreate) -> PostCreate:
        rendering.release()
        release.wait(timeout=30)  # a body that takes long to render
        result: PostCreate = prepared(self)
        return result

    monkeypatch.setattr(PostCreate, "prepared", slow_prepared)
    # As many slow creations as the process has write threads: were they rendered on those
    # threads, nothing else could write until they were done.
    writers = WRITE_THREADS[db.engine.dialect.name]
    outcomes: list[int] = []
    with TestClient(app) as client:

        def create(number: int) -> None:
            body = {"title": f"Langsam {number}", "body": "Text"}
            outcomes.append(
                client.post(f"{API}/posts", headers=editor.headers, json=body).status_code
            )

        creations = [threading.Thread(target=create, args=(n,)) for n in range(writers)]
        try:
            for thread in creations:
                thread.start()
            # Every one of them is rendering now, or waiting for a thread to render on.
            for _ in range(min(writers, PREPARING_THREADS)):
                assert rendering.acquire(timeout=10)
            like: list[int] = []
            liking = threading.Thread(
                target=lambda: like.append(client.post(f"{API}/posts/{liked.id}/likes").status_code)
            )
            liking.start()
            liking.join(timeout=10)
            done_while_rendering = not liking.is_alive()
        finally:
            release.set()
        liking.join()
        for thread in creations:
            thread.join()
    assert done_while_rendering, "the like waited for the bodies being rendered"
    assert like == [200]
    assert outcomes == [201] * writers
