"""The SLA API: policies, each conversation's SLA state, lists by state, alert thresholds, reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.access import visibility_clause
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.sla import operational
from carinho.atendimento.sla.models import SlaStatus
from carinho.atendimento.sla.panel import panel_now
from carinho.atendimento.sla.reports import GroupBy, sla_report
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.schemas import (
    AlertSettingsIn,
    AlertSettingsOut,
    BreachOut,
    ConversationSlaOut,
    ConversationSlaSummary,
    PanelOut,
    PoliciesUpdate,
    PolicyOut,
    ReportOut,
    SeriesOut,
)
from carinho.atendimento.sla.series import Bucket, SeriesBy, sla_series
from carinho.atendimento.sla.service import PolicyValues, sla_service
from carinho.atendimento.sla.views import conversation_sla_out, policy_out
from carinho.errors import BadRequest, NotFound
from carinho.kit.db import INT_MAX
from carinho.kit.ids import ID_MAX

router = APIRouter(prefix="/api/sla", tags=["SLA"])
ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="Número da conversa.")]


@router.get("/policies", response_model=list[PolicyOut])
async def policies(agent: CurrentAgent, session: SessionDep) -> list[PolicyOut]:
    """Prazos por prioridade, em minutos úteis (horário de atendimento e feriados)."""
    return [policy_out(p, v) for p, v in await sla_service.policies(session)]


@router.put("/policies", response_model=list[PolicyOut])
async def update_policies(
    body: PoliciesUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> list[PolicyOut]:
    """Altera políticas (valem para os prazos que começarem a partir de agora; registrado na auditoria)."""
    changes = {
        item.priority: PolicyValues(
            first_response_minutes=item.first_response_minutes,
            next_response_minutes=item.next_response_minutes,
            resolution_minutes=item.resolution_minutes,
            at_risk_percent=item.at_risk_percent,
            pause_while_waiting_customer=item.pause_while_waiting_customer,
        )
        for item in body.policies
    }
    if len(changes) != len(body.policies):
        raise BadRequest("Informe no máximo uma política por prioridade.")
    return [policy_out(p, v) for p, v in await sla_service.update_policies(session, supervisor, changes)]


@router.get("/conversations", response_model=list[ConversationSlaSummary])
async def conversations_by_state(
    agent: CurrentAgent,
    session: SessionDep,
    status: Annotated[
        list[SlaStatus] | None, Query(max_length=5, description="Padrão: at_risk e breached.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[ConversationSlaSummary]:
    """Conversas por estado de SLA (as que o atendente pode ver)."""
    statuses = [s.value for s in status] if status else [SlaStatus.at_risk.value, SlaStatus.breached.value]
    rows = await SlaRepository(session).states(statuses, visibility_clause(agent), limit=limit, offset=offset)
    return [
        ConversationSlaSummary(
            conversation_id=state.conversation_id,
            status=SlaStatus(state.status),
            priority=state.priority,
            level=conversation.level,
            assignee_id=conversation.assignee_id,
            conversation_status=conversation.status,
        )
        for state, conversation in rows
    ]


@router.get("/conversations/{conversation_id}", response_model=ConversationSlaOut)
async def conversation_sla(
    conversation_id: ConversationId, agent: CurrentAgent, session: SessionDep
) -> ConversationSlaOut:
    """Prazos, pausas, estado e violações do SLA da conversa."""
    await inbox_service.get_for(session, agent, conversation_id)
    state = await sla_service.state(session, conversation_id)
    if state is None:
        raise NotFound(f"A conversa {conversation_id} não tem SLA.")
    return await conversation_sla_out(session, state)


@router.get("/breaches", response_model=list[BreachOut])
async def breaches(
    supervisor: SupervisorAgent,
    session: SessionDep,
    since: Annotated[datetime | None, Query(description="Detectadas a partir de (com fuso horário).")] = None,
    until: Annotated[datetime | None, Query(description="Detectadas antes de (com fuso horário).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[BreachOut]:
    """Violações de SLA, das mais recentes: prazo, atraso em minutos úteis, responsável e nível."""
    rows = await SlaRepository(session).recent_breaches(
        _utc(since) if since else None, _utc(until) if until else None, limit=limit, offset=offset
    )
    return [BreachOut.model_validate(b) for b in rows]


@router.get("/alert-settings", response_model=AlertSettingsOut)
async def alert_settings(supervisor: SupervisorAgent, session: SessionDep) -> AlertSettingsOut:
    """Limites dos alertas de fila e de falhas de envio."""
    return AlertSettingsOut.model_validate(await operational.alert_settings(session))


@router.put("/alert-settings", response_model=AlertSettingsOut)
async def update_alert_settings(
    body: AlertSettingsIn, supervisor: SupervisorAgent, session: SessionDep
) -> AlertSettingsOut:
    values = body.model_dump(exclude_none=True)
    return AlertSettingsOut.model_validate(
        await operational.update_alert_settings(session, supervisor, values)
    )


@router.get("/reports", response_model=ReportOut)
async def report(
    supervisor: SupervisorAgent,
    session: SessionDep,
    period_from: Annotated[datetime, Query(alias="from", description="Início (inclusive) do período.")],
    period_to: Annotated[datetime, Query(alias="to", description="Fim (exclusive) do período.")],
    group_by: Annotated[GroupBy, Query(description="priority, agent ou target.")] = GroupBy.priority,
) -> ReportOut:
    """% de prazos cumpridos e tempos (média e p90) de primeira resposta e resolução, em minutos
    úteis e corridos, dos prazos iniciados no período."""
    since, until = _utc(period_from), _utc(period_to)
    return ReportOut.model_validate(await sla_report(session, since, until, group_by))


@router.get("/panel", response_model=PanelOut)
async def panel(supervisor: SupervisorAgent, session: SessionDep) -> PanelOut:
    """O painel de SLA agora: conversas em risco e violadas por nível e prioridade, metas por
    prioridade com o % cumprido hoje e nesta semana, e as violações em aberto ou de hoje."""
    return PanelOut.model_validate(await panel_now(session))


@router.get("/reports/series", response_model=SeriesOut)
async def report_series(
    supervisor: SupervisorAgent,
    session: SessionDep,
    period_from: Annotated[datetime, Query(alias="from", description="Início (inclusive) do período.")],
    period_to: Annotated[datetime, Query(alias="to", description="Fim (exclusive) do período.")],
    bucket: Annotated[Bucket, Query(description="day ou week (semanas começam na segunda).")] = Bucket.day,
    group_by: Annotated[SeriesBy, Query(description="priority, agent ou level.")] = SeriesBy.priority,
) -> SeriesOut:
    """% de prazos cumpridos e tempos de primeira resposta e resolução (média e p90, minutos úteis)
    por dia ou semana, dos prazos iniciados no período, no total e por grupo."""
    return SeriesOut.model_validate(
        await sla_series(session, _utc(period_from), _utc(period_to), bucket, group_by)
    )


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise BadRequest("Informe as datas com fuso horário (ex.: 2026-12-01T00:00:00-03:00).")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise BadRequest("Data fora do intervalo aceito.") from None
