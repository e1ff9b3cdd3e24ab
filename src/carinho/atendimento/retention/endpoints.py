from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from carinho.atendimento.agents.auth import SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.retention.access import PrivacyOfficer
from carinho.atendimento.retention.data_requests import data_request_service
from carinho.atendimento.retention.models import RequestKind
from carinho.atendimento.retention.schemas import (
    ExceptionsOut,
    PolicyOut,
    PrivacyRequestIn,
    PrivacyRequestOut,
    RetentionIn,
    RetentionOut,
    RunOut,
)
from carinho.atendimento.retention.service import RetentionConfig, retention_service
from carinho.kit.db import INT_MAX
from carinho.kit.ids import Id

router = APIRouter(prefix="/api/privacy", tags=["privacidade (LGPD)"])

RequestId = Id


def _retention_out(config: RetentionConfig) -> RetentionOut:
    s = config.settings
    return RetentionOut(
        policies=[PolicyOut(data_class=c, label=c.label, months=m) for c, m in config.months.items()],
        exceptions=ExceptionsOut(
            keep_active_conversations=s.keep_active_conversations,
            keep_open_incidents=s.keep_open_incidents,
            keep_contracts=s.keep_contracts,
            contract_retention_months=s.contract_retention_months,
            export_ttl_days=s.export_ttl_days,
        ),
    )


@router.get("/retention", response_model=RetentionOut)
async def retention(supervisor: SupervisorAgent, session: SessionDep) -> RetentionOut:
    """Política de retenção por classe de dado e exceções legais da exclusão."""
    return _retention_out(await retention_service.config(session))


@router.put("/retention", response_model=RetentionOut)
async def update_retention(
    body: RetentionIn, supervisor: SupervisorAgent, session: SessionDep
) -> RetentionOut:
    """Altera prazos e exceções (registrado no histórico de ações)."""
    config = await retention_service.update(
        session,
        supervisor,
        months=body.policies,
        exceptions=body.exceptions.model_dump(exclude_none=True) if body.exceptions else None,
    )
    return _retention_out(config)


@router.post("/retention/runs", response_model=RunOut, status_code=202)
async def start_run(supervisor: SupervisorAgent, session: SessionDep) -> RunOut:
    """Executa a anonimização agora (ou retoma a que está em andamento), em lotes, na fila de baixa
    prioridade."""
    run = await retention_service.start_run(session, trigger="manual", requested_by=supervisor)
    await retention_service.schedule_step(session, run)
    return RunOut.model_validate(run)


@router.get("/retention/runs", response_model=list[RunOut])
async def runs(
    supervisor: SupervisorAgent,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[RunOut]:
    return [RunOut.model_validate(r) for r in await retention_service.runs(session, limit, offset)]


@router.get("/retention/runs/{run_id}", response_model=RunOut)
async def run(run_id: RequestId, supervisor: SupervisorAgent, session: SessionDep) -> RunOut:
    return RunOut.model_validate(await retention_service.run(session, run_id))


@router.post("/requests", response_model=PrivacyRequestOut, status_code=201)
async def create_request(
    body: PrivacyRequestIn, officer: PrivacyOfficer, session: SessionDep
) -> PrivacyRequestOut:
    """Solicitação do titular: exportar (JSON) ou apagar seus dados, por telefone ou e-mail."""
    action = data_request_service.export if body.kind is RequestKind.export else data_request_service.erase
    request = await action(session, Actor.of(officer), phone=body.phone, email=body.email, reason=body.reason)
    return PrivacyRequestOut.of(request)


@router.get("/requests", response_model=list[PrivacyRequestOut])
async def requests(
    officer: PrivacyOfficer,
    session: SessionDep,
    kind: RequestKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[PrivacyRequestOut]:
    return [
        PrivacyRequestOut.of(r)
        for r in await data_request_service.list(session, kind=kind, limit=limit, offset=offset)
    ]


@router.get("/requests/{request_id}", response_model=PrivacyRequestOut)
async def request(request_id: RequestId, officer: PrivacyOfficer, session: SessionDep) -> PrivacyRequestOut:
    return PrivacyRequestOut.of(await data_request_service.get(session, request_id))


@router.get("/requests/{request_id}/export.json")
async def download_export(
    request_id: RequestId, officer: PrivacyOfficer, session: SessionDep
) -> JSONResponse:
    """O arquivo JSON da exportação (disponível por alguns dias; o download fica registrado)."""
    data = await data_request_service.download(session, Actor.of(officer), request_id)
    return JSONResponse(
        data,
        headers={"Content-Disposition": f'attachment; filename="titular-{request_id}.json"'},
    )
