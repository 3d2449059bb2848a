"""Client addresses are stored only as hashes keyed with a secret: the configured one, else
a random key the database makes and keeps, the same for every process on it."""

import hashlib
import hmac
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import col, select

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database, create_db_engine
from app.core.keys import CLIENT_HASH_KEY, PREVIEW_LINK_KEY, InstanceKey
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from app.posts.models import PostLike
from tests.conftest import FreshDatabase
from tests.factories import make_account, make_post

ADDRESS = "198.51.100.7"


def _hash(key: str, address: str) -> str:
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def _stored_keys(url: str, name: str = CLIENT_HASH_KEY) -> list[str]:
    engine = create_db_engine(url)
    try:
        with Database(engine).session(write=False) as session:
            query = select(col(InstanceKey.secret)).where(col(InstanceKey.name) == name)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def _like_clients(db: Database) -> set[str]:
    with db.session(write=False) as session:
        return set(session.scalars(select(col(PostLike.client))))


@pytest.fixture
def other_process(settings: Settings, db: Database) -> Iterator[Database]:
    """The same database as another server process sees it: an engine of its own."""
    other = open_database(settings.database_url)
    yield other
    other.dispose()


def _like(settings: Settings, database: Database, post_id: int, address: str) -> int:
    app = create_app(settings=settings, database=database)
    with TestClient(app, client=(address, 1234)) as client:
        response = client.post(app.url_path_for("like_post", id_or_slug=str(post_id)))
    assert response.status_code == 200, response.text
    likes: int = response.json()["likes"]
    return likes


def test_processes_on_one_database_hash_clients_with_its_secret_key(
    settings: Settings, db: Database, other_process: Database
) -> None:
    post = make_post(db, make_account(db, Role.editor))
    assert _like(settings, db, post.id, ADDRESS) == 1
    # The same client through another process: the same hash, so the like counts once.
    assert _like(settings, other_process, post.id, ADDRESS) == 1
    assert _like(settings, other_process, post.id, "203.0.113.8") == 2
    (key,) = _stored_keys(settings.database_url)
    assert len(key) >= 64
    # Not reversible by hashing every address with an empty (or any known) key.
    assert _like_clients(db) == {_hash(key, ADDRESS), _hash(key, "203.0.113.8")}
    assert _hash("", ADDRESS) not in _like_clients(db)


def test_a_configured_key_takes_precedence(settings: Settings, db: Database) -> None:
    post = make_post(db, make_account(db, Role.editor))
    configured = settings.model_copy(update={"client_hash_key": SecretStr("ein-langes-geheimnis")})
    assert _like(configured, db, post.id, ADDRESS) == 1
    assert _like_clients(db) == {_hash("ein-langes-geheimnis", ADDRESS)}


def test_each_database_gets_a_random_key_of_its_own(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """Each of its keys: the one client addresses are hashed with, and the one preview
    links are signed with (so a link of one database never works on another)."""
    keys = []
    for _ in range(2):
        url = fresh_database_url(backend)
        upgrade(url)
        for name in (CLIENT_HASH_KEY, PREVIEW_LINK_KEY):
            (key,) = _stored_keys(url, name)
            keys.append(key)
    assert all(len(bytes.fromhex(key)) == 32 for key in keys)
    assert len(set(keys)) == len(keys)
