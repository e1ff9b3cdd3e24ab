"""`/api/endpoints`: the outbound webhook endpoints the hub delivers to (X-API-Key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.webhook_endpoints.schemas import (
    EndpointCreate,
    EndpointOut,
    EndpointPage,
    EndpointUpdate,
    EndpointWithSecret,
    RotateSecret,
)
from carinho.integracoes.webhook_endpoints.service import to_out, webhook_endpoint_service, with_secret
from carinho.kit.ids import Id
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/endpoints", tags=["endpoints"])

EndpointId = Id

_NOT_FOUND = documented({404: "No such endpoint (or it was deleted)"})
_INVALID = documented({422: "Invalid fields"})


@router.get(
    "",
    response_model=EndpointPage,
    summary="List webhook endpoints",
    responses=documented({400: "Invalid cursor"}),
)
async def list_endpoints(
    session: SessionDep,
    _key: ApiKeyDep,
    target_system: Annotated[
        str | None, Query(max_length=40, pattern=r"^[a-z][a-z0-9_-]*$", examples=["crm"])
    ] = None,
    enabled: Annotated[bool | None, Query(description="only enabled (true) or disabled (false)")] = None,
    cursor: Annotated[
        str | None, Query(max_length=40, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EndpointPage:
    return await webhook_endpoint_service.page(
        session, cursor=cursor, limit=limit, target_system=target_system, enabled=enabled
    )


@router.post(
    "",
    status_code=201,
    response_model=EndpointWithSecret,
    summary="Create a webhook endpoint",
    description=(
        "Subscribes a URL to event types (an empty list: every type). The answer carries the "
        "endpoint's `whsec_` signing secret, **shown only this once**. Every delivery carries "
        "Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), the "
        "spatie `Signature` header (hex HMAC-SHA256 of the body) and `Idempotency-Key`."
    ),
    responses=_INVALID,
)
async def create_endpoint(body: EndpointCreate, session: SessionDep, _key: ApiKeyDep) -> EndpointWithSecret:
    endpoint, secret = await webhook_endpoint_service.create(session, body)
    return with_secret(endpoint, secret)


@router.get(
    "/{endpoint_id}",
    response_model=EndpointOut,
    summary="One webhook endpoint (never its secret)",
    responses=_NOT_FOUND,
)
async def get_endpoint(endpoint_id: EndpointId, session: SessionDep, _key: ApiKeyDep) -> EndpointOut:
    return to_out(await webhook_endpoint_service.get(session, endpoint_id))


@router.patch(
    "/{endpoint_id}",
    response_model=EndpointOut,
    summary="Change, disable or re-enable a webhook endpoint",
    responses={**_NOT_FOUND, **_INVALID},
)
async def update_endpoint(
    endpoint_id: EndpointId, body: EndpointUpdate, session: SessionDep, _key: ApiKeyDep
) -> EndpointOut:
    return to_out(await webhook_endpoint_service.update(session, endpoint_id, body))


@router.delete(
    "/{endpoint_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a webhook endpoint (its delivery history stays)",
    responses=_NOT_FOUND,
)
async def delete_endpoint(endpoint_id: EndpointId, session: SessionDep, _key: ApiKeyDep) -> Response:
    await webhook_endpoint_service.delete(session, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    summary="Rotate the signing secret",
    description=(
        "A new `whsec_` secret (shown once) signs from now on. During the grace period (default "
        "24 h, at most 7 days) `webhook-signature` also carries a signature made with the old "
        "secret, so the target can switch without losing a delivery; the spatie `Signature` header "
        "uses the new secret."
    ),
    responses={**_NOT_FOUND, **_INVALID},
)
async def rotate_secret(
    endpoint_id: EndpointId, session: SessionDep, _key: ApiKeyDep, body: RotateSecret | None = None
) -> EndpointWithSecret:
    endpoint, secret = await webhook_endpoint_service.rotate_secret(
        session, endpoint_id, body or RotateSecret()
    )
    return with_secret(endpoint, secret)
