"""The deliveries as the OpenAPI document's ``webhooks`` section shows them: one per type."""

from datetime import datetime

from fastapi import FastAPI, Header
from pydantic import BaseModel, Field

from app.webhooks.types import EVENT_TYPES

SIGNING = (
    "Signed by the Standard Webhooks scheme: `webhook-signature` holds `v1,<base64 "
    "HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's "
    "`whsec_` secret (its base64 part decoded), one per secret in use, separated by spaces "
    "(two during a secret's rotation). The same delivery sent again (a retry, a redelivery) "
    "has the same webhook-id and body: receivers drop ids they have seen. Answer 2xx "
    "within the timeout; other answers and no answer are retried after 5 s, 5 min, 30 min, "
    "2 h, 5 h, 10 h and 10 h (or a later Retry-After), 410 disables the endpoint, and 3 days "
    "of nothing but failures disable it too. Redirects are not followed."
)


# What a receiver answers; its body is ignored. (FastAPI's own 422, which would name a schema
# of FastAPI's that the document does not carry, is taken out in app.core.openapi.)
RECEIVER_ANSWERS: dict[int | str, dict[str, str]] = {
    200: {"description": "Accepted; so is any other 2xx. The body is ignored."},
    410: {"description": "Gone: the endpoint is disabled, and nothing more is sent to it."},
}


class WebhookData(BaseModel):
    id: int | None = Field(description="The post's, source's or tag's id.")
    slug: str | None
    status: str | None = Field(None, description="A post's status when the delivery was made.")
    url: str | None = Field(
        None, description="A published post's public URL (from PUBLIC_URL and its template)."
    )
    version: int | None = Field(None, description="The post's or source's version (its ETag).")


class WebhookPayload(BaseModel):
    type: str = Field(description="The event type, such as post.published or source.updated.")
    timestamp: datetime = Field(description="When the event happened (UTC).")
    data: WebhookData


def document_webhooks(app: FastAPI) -> None:
    for event_type in EVENT_TYPES:
        _document(app, event_type)


def _document(app: FastAPI, event_type: str) -> None:
    async def delivery(
        payload: WebhookPayload,
        webhook_id: str = Header(description="evt_<event id>: the same for every retry."),
        webhook_timestamp: int = Header(description="Seconds since the epoch, at sending."),
        webhook_signature: str = Header(description="v1,<signature> [v1,<signature>]"),
    ) -> None:
        pass

    delivery.__doc__ = SIGNING
    app.webhooks.post(
        event_type,
        summary=f"{event_type} to a subscribed endpoint",
        operation_id=delivery_operation_id(event_type),
        responses=RECEIVER_ANSWERS,
    )(delivery)


def delivery_operation_id(event_type: str) -> str:
    """``deliver_post_published``, ``deliver_source_events`` (for ``source.*``): names that
    read as code identifiers in generated clients, unlike FastAPI's from the path."""
    return "deliver_" + event_type.replace(".*", ".events").replace(".", "_")
