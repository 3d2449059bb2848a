"""The webhooks API: admins only. HTTP only; the service does the work."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.auth.dependencies import AdminViewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.core.pagination import Page, PageQuery, set_page_headers
from app.core.text import MAX_ID
from app.webhooks import service
from app.webhooks.models import DeliveryStatus
from app.webhooks.schemas import (
    DeliveryPublic,
    Redelivered,
    RedeliverFailed,
    WebhookCreate,
    WebhookPublic,
    WebhookUpdate,
    WebhookWithSecret,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=MAX_ID, description="A webhook endpoint's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="A delivery's id.")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookWithSecret,
    responses=error_responses(400, 401, 403, 422),
    summary="Register a webhook endpoint",
)
async def create_webhook(
    database: DatabaseDep, settings: SettingsDep, _viewer: AdminViewer, data: WebhookCreate
) -> WebhookWithSecret:
    """Deliveries of the given event types go to `url`, signed by the Standard Webhooks
    scheme with the `whsec_` secret answered here, and only here (admins)."""
    return await database.write(
        service.create_webhook, data=data, allow_private=settings.webhooks_allow_private
    )


@router.get(
    "",
    response_model=Page[WebhookPublic],
    responses=error_responses(401, 403, 422),
    summary="List webhook endpoints",
)
async def list_webhooks(
    request: Request,
    response: Response,
    database: DatabaseDep,
    _viewer: AdminViewer,
    paging: PageQuery,
) -> Page[WebhookPublic]:
    """Every endpoint, oldest first, without secrets (admins)."""
    page = await database.read(service.list_webhooks, paging=paging)
    set_page_headers(request, response, total=page.total, page=page.page, per_page=page.per_page)
    return page


@router.get(
    "/{endpoint_id}",
    response_model=WebhookPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Read a webhook endpoint",
)
async def get_webhook(
    database: DatabaseDep, _viewer: AdminViewer, endpoint_id: EndpointId
) -> WebhookPublic:
    """One endpoint, without its secret (admins)."""
    return await database.read(service.get_webhook, endpoint_id=endpoint_id)


@router.patch(
    "/{endpoint_id}",
    response_model=WebhookWithSecret | WebhookPublic,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change a webhook endpoint or rotate its secret",
)
async def update_webhook(
    database: DatabaseDep,
    settings: SettingsDep,
    _viewer: AdminViewer,
    endpoint_id: EndpointId,
    data: WebhookUpdate,
) -> WebhookWithSecret | WebhookPublic:
    """Change the URL, event types, description or whether it is enabled; with
    `rotate_secret`, the answer carries the new secret, once (admins)."""
    return await database.write(
        service.update_webhook,
        endpoint_id=endpoint_id,
        data=data,
        allow_private=settings.webhooks_allow_private,
    )


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
    summary="Delete a webhook endpoint",
)
async def delete_webhook(
    database: DatabaseDep, _viewer: AdminViewer, endpoint_id: EndpointId
) -> None:
    """The endpoint and its deliveries, pending ones included (admins)."""
    await database.write(service.delete_webhook, endpoint_id=endpoint_id)


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=Page[DeliveryPublic],
    responses=error_responses(401, 403, 404, 422),
    summary="List an endpoint's deliveries",
)
async def list_deliveries(
    request: Request,
    response: Response,
    database: DatabaseDep,
    _viewer: AdminViewer,
    endpoint_id: EndpointId,
    paging: PageQuery,
    status_: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state.")
    ] = None,
) -> Page[DeliveryPublic]:
    """Every delivery to the endpoint, newest first: attempts, the last answer's status,
    latency and the start of its body (admins)."""
    page = await database.read(
        service.list_deliveries, endpoint_id=endpoint_id, status=status_, paging=paging
    )
    set_page_headers(request, response, total=page.total, page=page.page, per_page=page.per_page)
    return page


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Send a delivery again",
)
async def redeliver(
    database: DatabaseDep, _viewer: AdminViewer, endpoint_id: EndpointId, delivery_id: DeliveryId
) -> DeliveryPublic:
    """Queue the delivery again, due at once, with the same webhook-id and body (admins)."""
    return await database.write(service.redeliver, endpoint_id=endpoint_id, delivery_id=delivery_id)


@router.post(
    "/{endpoint_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Redelivered,
    responses=error_responses(401, 403, 404, 422),
    summary="Send every failed delivery since a time again",
)
async def redeliver_failed(
    database: DatabaseDep, _viewer: AdminViewer, endpoint_id: EndpointId, data: RedeliverFailed
) -> Redelivered:
    """Queue again every failed delivery to the endpoint made at or after `since` (admins)."""
    return await database.write(service.redeliver_failed, endpoint_id=endpoint_id, since=data.since)
