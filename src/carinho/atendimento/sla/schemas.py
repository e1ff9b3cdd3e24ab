from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla.models import SlaStatus, Target
from carinho.atendimento.sla.service import MAX_TARGET_MINUTES


class PolicyIn(BaseModel):
    priority: Priority = Field(description="Prioridade à qual a política se aplica.", examples=["urgent"])
    first_response_minutes: int = Field(
        ge=1,
        le=MAX_TARGET_MINUTES,
        description="Prazo da primeira resposta, em minutos úteis.",
        examples=[15],
    )
    next_response_minutes: int = Field(
        ge=1,
        le=MAX_TARGET_MINUTES,
        description="Prazo para responder cada nova mensagem do cliente, em minutos úteis.",
        examples=[30],
    )
    resolution_minutes: int = Field(
        ge=1, le=MAX_TARGET_MINUTES, description="Prazo de resolução, em minutos úteis.", examples=[240]
    )
    at_risk_percent: int = Field(
        default=80, ge=1, le=99, description="Percentual do prazo a partir do qual a conversa fica em risco."
    )
    pause_while_waiting_customer: bool = Field(
        default=True, description="O relógio pausa enquanto a conversa aguarda o cliente."
    )


class PolicyOut(PolicyIn):
    priority_label: str = Field(description="Nome da prioridade em português.", examples=["Urgente"])


class PoliciesUpdate(BaseModel):
    policies: list[PolicyIn] = Field(
        min_length=1, max_length=4, description="Políticas a alterar (uma por prioridade)."
    )


class PauseOut(BaseModel):
    start: datetime
    end: datetime | None = Field(description="Vazio enquanto a pausa continua.")
    business_minutes: float | None


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    target: Target = Field(description="first_response, next_response ou resolution.")
    target_label: str
    cycle: int = Field(description="Ciclo (próxima resposta: um por mensagem do cliente após uma resposta).")
    priority: Priority
    target_minutes: int = Field(description="Prazo em minutos úteis.")
    status: SlaStatus
    status_label: str
    started_at: datetime
    at_risk_at: datetime = Field(description="Quando fica em risco (antes das pausas futuras).")
    due_at: datetime = Field(description="Vencimento, já deslocado pelas pausas.")
    paused: bool
    elapsed_business_minutes: float = Field(description="Minutos úteis corridos, sem as pausas.")
    paused_business_minutes: float
    at_risk_since: datetime | None
    breached_at: datetime | None
    ended_at: datetime | None
    met_in_time: bool | None = Field(description="Cumprido no prazo (vazio enquanto não se sabe).")
    business_minutes: float | None = Field(description="Duração em minutos úteis, ao terminar.")
    wall_minutes: float | None = Field(description="Duração em minutos corridos, ao terminar.")
    agent_id: int | None


class BreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    target: Target
    priority: Priority
    due_at: datetime
    detected_at: datetime
    overdue_business_minutes: float = Field(
        description="Atraso em minutos úteis (final quando o prazo termina)."
    )
    ended_at: datetime | None
    assignee_id: int | None
    assignee_name: str | None
    level: str


class ConversationSlaOut(BaseModel):
    conversation_id: int
    priority: Priority
    status: SlaStatus = Field(description="O pior estado entre os prazos em curso; met quando nenhum corre.")
    status_label: str
    started_at: datetime
    paused: bool
    paused_business_minutes: float
    pauses: list[PauseOut]
    targets: list[TargetOut]
    breaches: list[BreachOut]


class ConversationSlaSummary(BaseModel):
    conversation_id: int
    status: SlaStatus
    priority: Priority
    level: str
    assignee_id: int | None
    conversation_status: str


class AlertSettingsIn(BaseModel):
    backlog_unassigned_threshold: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="Alerta quando há mais conversas sem responsável do que isto.",
    )
    backlog_waiting_threshold: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="Alerta quando há mais conversas aguardando resposta do que isto.",
    )
    backlog_growth_threshold: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Alerta quando a fila cresce ao menos isto dentro da janela.",
    )
    backlog_window_minutes: int | None = Field(
        default=None, ge=1, le=1440, description="Janela do crescimento."
    )
    send_failures_threshold: int | None = Field(
        default=None, ge=1, le=100_000, description="Alerta quando tantas mensagens falham dentro da janela."
    )
    send_failures_window_minutes: int | None = Field(
        default=None, ge=1, le=1440, description="Janela das falhas de envio."
    )


class AlertSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    backlog_unassigned_threshold: int
    backlog_waiting_threshold: int
    backlog_growth_threshold: int
    backlog_window_minutes: int
    send_failures_threshold: int
    send_failures_window_minutes: int
    raised: dict[str, Any] = Field(description="Condições com alerta em aberto e desde quando.")


class ComplianceOut(BaseModel):
    decided: int = Field(description="Prazos decididos (cumpridos ou violados).")
    met: int = Field(description="Cumpridos dentro do prazo.")
    breached: int
    running: int = Field(description="Ainda em curso.")
    met_percent: float | None = Field(description="% cumprido no prazo entre os decididos.")


class TimingOut(BaseModel):
    count: int
    avg_business_minutes: float | None
    p90_business_minutes: float | None
    avg_wall_minutes: float | None
    p90_wall_minutes: float | None


class FiguresOut(BaseModel):
    targets: dict[str, ComplianceOut] = Field(
        description="Por prazo: first_response, next_response, resolution."
    )
    timings: dict[str, TimingOut] = Field(description="Tempos de first_response e resolution.")


class GroupOut(FiguresOut):
    key: str | None
    label: str


class ReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: datetime = Field(alias="from")
    period_to: datetime = Field(alias="to")
    group_by: str
    overall: FiguresOut
    groups: list[GroupOut]


# --- the SLA panel (GET /api/sla/panel) and the series (GET /api/sla/reports/series)
class PanelCountsOut(BaseModel):
    total: int
    by_level: dict[str, int] = Field(description="Por nível (N1, N2, N3).")
    by_priority: dict[str, int] = Field(description="Por prioridade.")
    matrix: dict[str, dict[str, int]] = Field(description="Nível → prioridade → conversas.")


class MetShareOut(BaseModel):
    decided: int
    met: int
    met_percent: float | None


class PanelTargetOut(BaseModel):
    priority: Priority
    label: str
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    today: MetShareOut
    week: MetShareOut


class PanelBreachOut(BaseModel):
    id: int
    conversation_id: int
    target: Target
    target_label: str
    priority: Priority
    priority_label: str
    level: str
    assignee_id: int | None
    assignee_name: str | None
    due_at: datetime
    detected_at: datetime
    ended_at: datetime | None
    open: bool
    late_minutes: float = Field(
        description="Atraso: desde o prazo (em aberto, minutos corridos) ou o final (minutos úteis)."
    )
    late_is_business: bool


class PanelOut(BaseModel):
    generated_at: datetime
    day_start: datetime
    week_start: datetime
    at_risk: PanelCountsOut
    breached: PanelCountsOut
    targets: list[PanelTargetOut]
    breaches: list[PanelBreachOut]


class SeriesTimingOut(BaseModel):
    count: int
    avg_business_minutes: float | None
    p90_business_minutes: float | None


class SeriesPointOut(BaseModel):
    start: date
    label: str
    decided: int
    met: int
    met_percent: float | None
    first_response: SeriesTimingOut
    resolution: SeriesTimingOut


class SeriesGroupOut(BaseModel):
    key: str | None
    label: str
    total: int
    points: list[SeriesPointOut]


class SeriesOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: datetime = Field(alias="from")
    period_to: datetime = Field(alias="to")
    bucket: str
    group_by: str
    overall: list[SeriesPointOut]
    groups: list[SeriesGroupOut]
