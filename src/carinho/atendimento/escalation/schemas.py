from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from carinho.atendimento.agents.models import SupportLevel
from carinho.atendimento.escalation.models import RuleKind
from carinho.atendimento.inbox.models import Priority
from carinho.kit.text import reject_nul, stripped_text_schema

Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=2000),
    AfterValidator(reject_nul),
    stripped_text_schema(3, 2000),
]
Phrase = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(reject_nul),
    stripped_text_schema(1, 120),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(reject_nul),
    stripped_text_schema(1, 120),
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(reject_nul),
    stripped_text_schema(1, 64),
]
SlaTarget = Literal["first_response", "next_response", "resolution"]
RuleLevel = Literal["N2", "N3"]


class EscalateRequest(BaseModel):
    to_level: SupportLevel | None = Field(
        default=None, description="Nível de destino; padrão: o próximo nível.", examples=["N2"]
    )
    reason: Reason = Field(
        description="Motivo do escalonamento (obrigatório).", examples=["Cliente pede reembolso"]
    )
    notify_operacao: bool = Field(default=False, description="Avisar a operação do escalonamento.")


class DeescalateRequest(BaseModel):
    to_level: SupportLevel = Field(
        description="Nível (abaixo do atual) para onde a conversa volta.", examples=["N1"]
    )
    reason: Reason = Field(
        description="Motivo do retorno de nível (obrigatório).", examples=["Dúvida resolvida"]
    )


class EscalationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    direction: str = Field(description="up (escalonamento) ou down (retorno de nível).")
    from_level: str
    to_level: str
    reason: str
    rule_id: int | None = Field(description="Regra automática que escalonou, se houver.")
    agent_id: int | None = Field(description="Atendente que pediu a mudança, se manual.")
    assignee_before_id: int | None
    assignee_after_id: int | None
    notify_operacao: bool
    operacao_status: str | None = Field(
        description="pending, delivered ou failed (quando a operação é avisada)."
    )
    operacao_attempts: int
    operacao_protocol: str | None
    operacao_error: str | None
    operacao_delivered_at: datetime | None
    created_at: datetime


class RuleKindOut(BaseModel):
    kind: RuleKind
    label: str


class RuleFields(BaseModel):
    raise_priority: Priority | None = Field(
        default=None, description="Eleva a prioridade para esta (nunca baixa).", examples=["high"]
    )
    notify_operacao: bool = Field(default=False, description="Avisar a operação quando escalonar.")
    opens_emergency: bool = Field(
        default=False, description="Abre emergência de saúde (só regras de palavras-chave ou de triagem)."
    )
    active: bool = True
    keywords: list[Phrase] = Field(
        default_factory=list,
        max_length=200,
        description="Palavras ou frases (sem diferença de acentos ou maiúsculas).",
        examples=[["emergência", "desmaiou"]],
    )
    question_code: Code | None = Field(
        default=None, description="Código da pergunta da triagem.", examples=["condicao"]
    )
    answer_values: list[Phrase] = Field(
        default_factory=list,
        max_length=100,
        description="Respostas que disparam a regra.",
        examples=[["Acamado"]],
    )
    sla_target: SlaTarget | None = Field(default=None, description="Só esta meta de SLA; vazio = qualquer.")
    threshold: int | None = Field(
        default=None, ge=1, le=100, description="Reaberturas: quantas.", examples=[3]
    )
    window_hours: int | None = Field(
        default=None, ge=1, le=24 * 365, description="Reaberturas: em quantas horas.", examples=[168]
    )


class RuleCreate(RuleFields):
    name: Name = Field(examples=["Cliente pede supervisor"])
    kind: RuleKind
    target_level: RuleLevel = Field(description="Nível de destino (N2 ou N3).", examples=["N2"])


class RuleUpdate(BaseModel):
    name: Name | None = None
    target_level: RuleLevel | None = None
    raise_priority: Priority | None = None
    notify_operacao: bool | None = None
    opens_emergency: bool | None = None
    active: bool | None = None
    keywords: list[Phrase] | None = Field(default=None, max_length=200)
    question_code: Code | None = None
    answer_values: list[Phrase] | None = Field(default=None, max_length=100)
    sla_target: SlaTarget | None = None
    threshold: int | None = Field(default=None, ge=1, le=100)
    window_hours: int | None = Field(default=None, ge=1, le=24 * 365)


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    target_level: str
    raise_priority: str | None
    notify_operacao: bool
    opens_emergency: bool
    active: bool
    keywords: list[str]
    question_code: str | None
    answer_values: list[str]
    sla_target: str | None
    threshold: int | None
    window_hours: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    auto_reassign_enabled: bool = Field(description="Reatribuir quando o atendente não responde.")
    auto_reassign_minutes: int = Field(description="Minutos úteis sem resposta até reatribuir.")
    updated_by_id: int | None
    updated_at: datetime


class SettingsUpdate(BaseModel):
    auto_reassign_enabled: bool | None = None
    auto_reassign_minutes: int | None = Field(default=None, ge=1, le=8 * 60, examples=[15])
