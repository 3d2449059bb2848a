"""What the webhook tests share: a real receiver on 127.0.0.1, a site allowed to reach it,
the worker's sender (run directly, with the time it is given), and the callers."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.webhooks.delivery import DeliveryOptions, Sender
from tests.factories import Account, make_account
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def allowed(settings: Settings) -> Settings:
    """A site that lets webhooks reach 127.0.0.1 (as the receiver is), with a public URL."""
    return settings.model_copy(
        update={"webhooks_allow_private": True, "public_url": "https://blog.example"}
    )


@pytest.fixture
def hooks(allowed: Settings, db: Database) -> Iterator[TestClient]:
    """The API of that site."""
    with TestClient(create_app(settings=allowed, database=db)) as client:
        yield client


@pytest.fixture
def sender() -> Iterator[Sender]:
    running = Sender(DeliveryOptions(allow_private=True, timeout_seconds=5))
    yield running
    running.close()


@pytest.fixture
def strict_sender() -> Iterator[Sender]:
    """A sender of a site that does not let webhooks reach private addresses."""
    running = Sender(DeliveryOptions(allow_private=False, timeout_seconds=5))
    yield running
    running.close()


@pytest.fixture
def admin(db: Database) -> Account:
    return make_account(db, Role.admin)


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, Role.editor)
