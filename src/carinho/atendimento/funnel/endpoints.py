from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.funnel.models import ALLOWED_TRANSITIONS, FunnelStage
from carinho.atendimento.funnel.report import funnel_report_service
from carinho.atendimento.funnel.schemas import (
    DocumentOut,
    DocumentRequest,
    FunnelReportOut,
    LossReasonCreate,
    LossReasonOut,
    LossReasonUpdate,
    MoveRequest,
    StageOut,
    TransitionOut,
)
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.inbox.schemas import ConversationOut
from carinho.atendimento.inbox.service import inbox_service
from carinho.errors import BadRequest
from carinho.kit.clock import utcnow
from carinho.kit.ids import Id

router = APIRouter(prefix="/api", tags=["funil"])


@router.get("/funnel/stages", response_model=list[StageOut])
async def stages(agent: CurrentAgent) -> list[StageOut]:
    return [
        StageOut(stage=stage, label=stage.label, allowed_next=sorted(ALLOWED_TRANSITIONS[stage]))
        for stage in FunnelStage
    ]


@router.get("/funnel/report", response_model=FunnelReportOut)
async def report(
    supervisor: SupervisorAgent,
    session: SessionDep,
    start: Annotated[
        datetime | None, Query(alias="from", description="Início (padrão: 30 dias atrás)")
    ] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Fim, exclusivo (padrão: agora)")] = None,
) -> FunnelReportOut:
    """Conversão entre as etapas e motivos de perda no período."""
    end = end or utcnow()
    start = start or end - timedelta(days=30)
    if start.tzinfo is None or end.tzinfo is None:
        raise BadRequest("Informe as datas com fuso horário (ex.: 2026-12-01T00:00:00-03:00).")
    if start >= end:
        raise BadRequest("O início ('from') deve ser anterior ao fim ('to').")
    if end - start > timedelta(days=731):
        raise BadRequest("Período longo demais: no máximo 2 anos por consulta.")
    return FunnelReportOut.model_validate(await funnel_report_service.report(session, start, end))


@router.post("/conversations/{conversation_id}/funnel", response_model=ConversationOut)
async def move(
    conversation_id: Id, body: MoveRequest, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    """Move a conversa no funil; Perdido exige um motivo do catálogo."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await funnel_service.move_by_agent(
        session, agent, conversation, body.stage, loss_reason_id=body.loss_reason_id, note=body.note
    )
    return ConversationOut.of(conversation)


@router.get("/conversations/{conversation_id}/funnel", response_model=list[TransitionOut])
async def transitions(conversation_id: Id, agent: CurrentAgent, session: SessionDep) -> list[TransitionOut]:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [TransitionOut.model_validate(t) for t in await funnel_service.transitions(session, conversation)]


@router.post("/conversations/{conversation_id}/documents", response_model=DocumentOut, status_code=202)
async def send_document(
    conversation_id: Id, body: DocumentRequest, agent: CurrentAgent, session: SessionDep
) -> DocumentOut:
    """Envia proposta ou contrato por e-mail (registrado na conversa)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    dispatch = await funnel_service.send_document(
        session,
        agent,
        conversation,
        kind=body.kind,
        email=str(body.email) if body.email else None,
        subject=body.subject,
        body=body.body,
        document_url=str(body.document_url) if body.document_url else None,
    )
    return DocumentOut.model_validate(dispatch)


@router.get("/conversations/{conversation_id}/documents", response_model=list[DocumentOut])
async def documents(conversation_id: Id, agent: CurrentAgent, session: SessionDep) -> list[DocumentOut]:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [DocumentOut.model_validate(d) for d in await funnel_service.documents(session, conversation)]


@router.get("/loss-reasons", response_model=list[LossReasonOut])
async def loss_reasons(
    agent: CurrentAgent, session: SessionDep, active: bool | None = True
) -> list[LossReasonOut]:
    return [
        LossReasonOut.model_validate(r) for r in await funnel_service.loss_reasons(session, active=active)
    ]


@router.post("/loss-reasons", response_model=LossReasonOut, status_code=201)
async def create_loss_reason(
    body: LossReasonCreate, supervisor: SupervisorAgent, session: SessionDep
) -> LossReasonOut:
    return LossReasonOut.model_validate(
        await funnel_service.create_loss_reason(
            session, code=body.code, label=body.label, position=body.position
        )
    )


@router.patch("/loss-reasons/{reason_id}", response_model=LossReasonOut)
async def update_loss_reason(
    reason_id: Id, body: LossReasonUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> LossReasonOut:
    return LossReasonOut.model_validate(
        await funnel_service.update_loss_reason(
            session, reason_id, label=body.label, active=body.active, position=body.position
        )
    )
