"""Sending deliveries: the worker's sweep reads the due ones and makes their payloads in a read
transaction, claims them in one short write, sends them with no transaction open (SQLite's
write lock is never held while waiting on a receiver), and records the answers in another
short write (app.webhooks.answers). Each write has a fixed number of statements however large
the batch: API writes beside the sender wait for a batch's claim as briefly as for one.

At least once: a delivery stays pending until an answer is recorded; a claim lasts a little
longer than a send can take, so one whose sender died (kill -9) is sent again after it. In
order per object: a delivery waits while an earlier one about the same object to the same
endpoint is pending (checked again by the claim, under the write lock). Several workers: on
PostgreSQL each claims with SKIP LOCKED; SQLite's write lock takes claims one at a time.
"""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Connection, bindparam, exists, or_, select, update
from sqlalchemy.orm import aliased

from app.core.config import Settings
from app.core.db import Database
from app.core.links import PostLinks
from app.core.types import utcnow
from app.events.models import Event
from app.webhooks import addresses, payloads, signing
from app.webhooks.answers import Claimed, Outcome, record_answers, retry_after
from app.webhooks.models import (
    ERROR_MAX,
    EXCERPT_MAX,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

# Deliveries a sweep claims and sends at once (in parallel): a sweep takes about one timeout
# at worst, so a receiver that hangs holds up the worker's other sweeps no longer than that.
BATCH = 32
SENDERS = 8
USER_AGENT = "Presseschau-Webhooks/1"

_UTC = ZoneInfo("UTC")
_DELIVERIES = WebhookDelivery.metadata.tables["webhook_deliveries"]
_ENDPOINTS = WebhookEndpoint.metadata.tables["webhook_endpoints"]
_EVENTS = Event.metadata.tables["events"]


@dataclass(frozen=True)
class DeliveryOptions:
    allow_private: bool = False
    timeout_seconds: float = 10.0
    claim_margin_seconds: float = 30.0
    # Where a post's public URL comes from (None: no public URL is configured).
    links: PostLinks | None = None
    zone: ZoneInfo = _UTC

    @classmethod
    def from_settings(cls, settings: Settings) -> "DeliveryOptions":
        links = None
        if settings.public_url:
            links = PostLinks(settings.post_link_template, settings.public_url.rstrip("/"))
        return cls(
            allow_private=settings.webhooks_allow_private,
            timeout_seconds=settings.webhooks_timeout_seconds,
            claim_margin_seconds=settings.webhooks_claim_margin_seconds,
            links=links,
            zone=settings.zone,
        )

    @property
    def claim_lasts(self) -> timedelta:
        # Longer than a send can take (resolving, connecting, sending, reading an excerpt).
        return timedelta(seconds=self.timeout_seconds * 3 + self.claim_margin_seconds)


class Sender:
    """Sends the due deliveries of one database; one per worker."""

    def __init__(self, options: DeliveryOptions) -> None:
        self.options = options
        self._client: httpx.Client | None = None
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    def deliver_due(
        self, database: Database, *, now: datetime | None = None, batch: int = BATCH
    ) -> int:
        """Send up to ``batch`` deliveries due at ``now`` (by default: now) and record their
        answers; how many were sent. The worker's sweep, and the tests' step."""
        moment = now or utcnow()
        claimed = self._claim(database, moment, batch)
        if not claimed:
            return 0
        outcomes = list(self._pool_().map(self._send, claimed))
        with database.session() as session:
            record_answers(session.connection(), outcomes, now or utcnow())
        return len(claimed)

    def _claim(self, database: Database, now: datetime, batch: int) -> list[Claimed]:
        """Claim up to ``batch`` due deliveries. What they send is read and made in a read
        transaction (with nothing due, no write lock is taken at all); the claim itself is one
        write of at most two statements, however many it takes, so API writes beside the
        sender wait for it as briefly as for one."""
        with database.session(write=False) as session:
            candidates = _candidates(session.connection(), now, batch, self.options)
        if not candidates:
            return []
        token = secrets.token_hex(16)
        with database.session() as session:
            connection = session.connection()
            # The conditions are checked again under the write lock: another sender may have
            # claimed a candidate since it was read, or a redelivery put an earlier delivery of
            # the same object back in line.
            due = _due(now).where(_DELIVERIES.c.id.in_(list(candidates)))
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(of=_DELIVERIES, skip_locked=True)
            taken = connection.execute(
                update(_DELIVERIES)
                .where(_DELIVERIES.c.id.in_(due.scalar_subquery()))
                .values(claimed_until=now + self.options.claim_lasts, claim=token)
                .returning(_DELIVERIES.c.id, _DELIVERIES.c.attempts, _DELIVERIES.c.payload)
            ).all()
            # Stored before it is sent, so every retry sends the same bytes; a payload another
            # sender stored first is the one sent.
            fresh = [
                {"b_id": row.id, "b_payload": candidates[row.id].payload}
                for row in taken
                if row.payload is None
            ]
            if fresh:
                connection.execute(
                    update(_DELIVERIES)
                    .where(_DELIVERIES.c.id == bindparam("b_id"), _DELIVERIES.c.payload.is_(None))
                    .values(payload=bindparam("b_payload", type_=_DELIVERIES.c.payload.type)),
                    fresh,
                )
        return [
            candidates[row.id].claim(token, row.attempts, row.payload or candidates[row.id].payload)
            for row in sorted(taken, key=lambda row: int(row.id))
        ]

    def _pool_(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="webhooks")
        return self._pool

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.options.timeout_seconds),
                # A redirect is an answer like any other: a failed attempt, never followed
                # (it could lead anywhere, an inside address included).
                follow_redirects=False,
                # No proxy from the environment: the address checked is the one connected to.
                trust_env=False,
                headers={"user-agent": USER_AGENT},
            )
        return self._client

    def _send(self, claimed: Claimed) -> Outcome:
        try:
            target = addresses.resolve(claimed.url, allow_private=self.options.allow_private)
        except addresses.Refused as refused:
            return Outcome(claimed, None, None, None, str(refused), None)
        url = httpx.URL(claimed.url)
        stamp = int(time.time())
        headers = {
            "host": url.netloc.decode("ascii"),
            "content-type": "application/json",
            "webhook-id": claimed.message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signing.signature_header(
                claimed.secrets, claimed.message_id, stamp, claimed.body
            ),
        }
        # Connected to the address checked; the name stays the request's Host and the name
        # TLS asks for and verifies the certificate against.
        extensions: dict[str, Any] = {}
        if url.scheme == "https":
            extensions["sni_hostname"] = target.host
        started = time.perf_counter()
        try:
            with self._http().stream(
                "POST",
                url.copy_with(host=str(target.address)),
                content=claimed.body,
                headers=headers,
                extensions=extensions,
            ) as response:
                excerpt = _excerpt(response)
        except httpx.HTTPError as error:
            return Outcome(claimed, None, None, None, _error_text(error), None)
        latency = round((time.perf_counter() - started) * 1000)
        return Outcome(
            claimed,
            response.status_code,
            latency,
            excerpt,
            None,
            retry_after(response.headers.get("retry-after")),
        )


def _due(now: datetime) -> Any:
    earlier = aliased(_DELIVERIES)
    held_back = exists().where(
        earlier.c.endpoint_id == _DELIVERIES.c.endpoint_id,
        earlier.c.subject_type == _DELIVERIES.c.subject_type,
        earlier.c.subject_id == _DELIVERIES.c.subject_id,
        earlier.c.status == DeliveryStatus.pending.value,
        earlier.c.id < _DELIVERIES.c.id,
    )
    return (
        select(_DELIVERIES.c.id)
        .join(_ENDPOINTS, _ENDPOINTS.c.id == _DELIVERIES.c.endpoint_id)
        .where(
            _DELIVERIES.c.status == DeliveryStatus.pending.value,
            _DELIVERIES.c.next_attempt_at <= now,
            or_(_DELIVERIES.c.claimed_until.is_(None), _DELIVERIES.c.claimed_until < now),
            _ENDPOINTS.c.enabled.is_(True),
            ~held_back,
        )
    )


class _Candidate(NamedTuple):
    """A due delivery as read before its claim, with the payload it sends."""

    id: int
    endpoint_id: int
    url: str
    secrets: tuple[str, ...]
    message_id: str
    payload: dict[str, Any]

    def claim(self, token: str, attempts: int, payload: dict[str, Any]) -> Claimed:
        return Claimed(
            id=self.id,
            claim=token,
            endpoint_id=self.endpoint_id,
            url=self.url,
            secrets=self.secrets,
            message_id=self.message_id,
            body=payloads.body(payload),
            attempts=attempts,
        )


def _candidates(
    connection: Connection, now: datetime, batch: int, options: DeliveryOptions
) -> dict[int, _Candidate]:
    """The oldest due deliveries, ready to send: a payload made for each that has none yet,
    with the endpoint's secrets in use."""
    due = _due(now).order_by(_DELIVERIES.c.id).limit(batch).subquery()
    rows = connection.execute(
        select(
            _DELIVERIES.c.id,
            _DELIVERIES.c.endpoint_id,
            _DELIVERIES.c.event_id,
            _DELIVERIES.c.action,
            _DELIVERIES.c.subject_type,
            _DELIVERIES.c.subject_id,
            _DELIVERIES.c.payload,
            _ENDPOINTS.c.url,
            _ENDPOINTS.c.secret,
            _ENDPOINTS.c.previous_secret,
            _ENDPOINTS.c.previous_secret_expires_at,
            _EVENTS.c.occurred_at,
            _EVENTS.c.data,
        )
        .join(_ENDPOINTS, _ENDPOINTS.c.id == _DELIVERIES.c.endpoint_id)
        .join(_EVENTS, _EVENTS.c.id == _DELIVERIES.c.event_id)
        .where(_DELIVERIES.c.id.in_(select(due.c.id)))
        .order_by(_DELIVERIES.c.id)
    ).all()
    fresh = [row for row in rows if row.payload is None]
    made = payloads.payloads(
        connection,
        (
            payloads.Told(
                row.action, row.occurred_at, row.subject_type, row.subject_id, row.data or {}
            )
            for row in fresh
        ),
        links=options.links,
        zone=options.zone,
    )
    stored = {row.id: payload for row, payload in zip(fresh, made, strict=True)}
    candidates: dict[int, _Candidate] = {}
    for row in rows:
        keys = [row.secret]
        expires = row.previous_secret_expires_at
        if row.previous_secret and expires is not None and expires > now:
            keys.append(row.previous_secret)
        candidates[row.id] = _Candidate(
            id=row.id,
            endpoint_id=row.endpoint_id,
            url=row.url,
            secrets=tuple(keys),
            message_id=f"evt_{row.event_id}",
            payload=stored.get(row.id, row.payload),
        )
    return candidates


def _excerpt(response: httpx.Response) -> str:
    """The start of the answer's body; the rest is not read."""
    taken = b""
    for chunk in response.iter_raw():
        taken += chunk
        if len(taken) >= EXCERPT_MAX:
            break
    # PostgreSQL's text has no NUL.
    return taken[:EXCERPT_MAX].decode("utf-8", "replace").replace("\x00", "")


def _error_text(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:ERROR_MAX]
