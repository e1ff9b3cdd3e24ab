"""`/api/privacy`: the hub's data-subject requests (X-API-Key), each recorded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.privacy.models import HubRequestKind
from carinho.integracoes.privacy.schemas import HubExportOut, HubPrivacyRequestIn, HubPrivacyRequestOut
from carinho.integracoes.privacy.service import hub_privacy_service
from carinho.kit.data_subject import subject_of
from carinho.kit.ids import Id
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/privacy", tags=["privacy (LGPD)"])


@router.post(
    "/requests",
    response_model=HubExportOut,
    response_model_exclude_none=False,
    summary="Export or erase a person's data (by phone, e-mail or CPF)",
    description=(
        "Finds every event (not anonymised yet) whose payload, raw body or step outputs hold the "
        "identifier. `export` returns them; `erase` anonymises them like the retention does (ids, "
        "types, times and statuses stay) and removes the person's phone from feedback requests. "
        "Idempotent: the same `reference` again updates the same record."
    ),
    responses=documented({400: "No identifier, more than one, or not a valid phone, e-mail or CPF"}),
)
async def create_request(body: HubPrivacyRequestIn, key: ApiKeyDep, session: SessionDep) -> HubExportOut:
    subject = subject_of(body.phone, body.email, body.cpf, allow_cpf=True)
    if body.kind is HubRequestKind.export:
        request, events = await hub_privacy_service.export(
            session, key, subject, reason=body.reason, reference=body.reference
        )
    else:
        request = await hub_privacy_service.erase(
            session, key, subject, reason=body.reason, reference=body.reference
        )
        events = []
    out = HubPrivacyRequestOut.model_validate(request).model_dump()
    return HubExportOut(**out, events=events)


@router.get(
    "/requests", response_model=list[HubPrivacyRequestOut], summary="Data-subject requests (newest first)"
)
async def list_requests(
    key: ApiKeyDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[HubPrivacyRequestOut]:
    return [
        HubPrivacyRequestOut.model_validate(r) for r in await hub_privacy_service.list(session, limit, offset)
    ]


@router.get("/requests/{request_id}", response_model=HubPrivacyRequestOut, summary="One data-subject request")
async def get_request(request_id: Id, key: ApiKeyDep, session: SessionDep) -> HubPrivacyRequestOut:
    return HubPrivacyRequestOut.model_validate(await hub_privacy_service.get(session, request_id))
