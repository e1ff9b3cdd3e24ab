from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from carinho.atendimento.funnel.models import DocumentKind, FunnelStage
from carinho.kit.emails import EmailAddress


class StageOut(BaseModel):
    stage: FunnelStage
    label: str
    allowed_next: list[FunnelStage]


class MoveRequest(BaseModel):
    stage: FunnelStage
    loss_reason_id: int | None = Field(default=None, description="Obrigatório para a etapa lost (Perdido).")
    note: str | None = Field(default=None, max_length=2000)


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    from_stage: str
    to_stage: str
    actor_type: str
    agent_id: int | None
    loss_reason_id: int | None
    note: str | None
    created_at: datetime


class LossReasonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    label: str
    active: bool
    position: int


class LossReasonCreate(BaseModel):
    code: str = Field(min_length=1, max_length=48, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, max_length=120)
    position: int = Field(default=100, ge=0, le=10_000, description="Ordem na lista.")


class LossReasonUpdate(BaseModel):
    label: str | None = Field(default=None, min_length=1, max_length=120)
    active: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10_000, description="Ordem na lista.")


class DocumentRequest(BaseModel):
    kind: DocumentKind
    email: EmailAddress | None = Field(default=None, description="Padrão: o e-mail do contato.")
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    document_url: HttpUrl | None = None


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    kind: str
    email: str
    subject: str
    document_url: str | None
    status: str
    provider_message_id: str | None
    error: str | None
    agent_id: int | None
    created_at: datetime
    sent_at: datetime | None


class FunnelStepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: FunnelStage
    reached: int = Field(description="Leads que chegaram a esta etapa (ou a uma posterior) no período.")
    rate: float | None = Field(description="% dos leads da etapa anterior; null na primeira.")


class LossShareOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reason_id: int | None
    label: str
    count: int
    share: float


class FunnelReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    start: datetime
    end: datetime
    steps: list[FunnelStepOut]
    overall: float | None = Field(description="% dos leads novos do período que foram ganhos.")
    lost: int
    losses: list[LossShareOut]
