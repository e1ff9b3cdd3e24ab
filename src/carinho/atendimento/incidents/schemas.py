from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carinho.atendimento.incidents.emergencies import banner_text
from carinho.atendimento.incidents.models import (
    ALLOWED_TRANSITIONS,
    DeliveryState,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Severity,
    TimelineAction,
)
from carinho.kit.ids import BODY_ID_MAX
from carinho.kit.text import reject_nul

OperacaoCategory = Literal["saude", "queda", "ausencia_cuidador", "comportamento", "seguranca", "outros"]


def _external_id(system: str) -> Any:
    return Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description=f"Id no sistema {system}",
        examples=["1234"],
    )


class Input(BaseModel):
    """A request body: no text field may carry NUL (PostgreSQL refuses it in text columns)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------- categories


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    default_severity: Severity
    is_emergency: bool
    operacao_category: str
    active: bool
    position: int


class CategoryCreate(Input):
    code: str = Field(
        min_length=1, max_length=48, pattern=r"^[a-z0-9_]+$", description="Código estável", examples=["furto"]
    )
    name: str = Field(min_length=1, max_length=120, description="Nome exibido", examples=["Furto ou roubo"])
    default_severity: Severity = Field(
        description="Gravidade padrão das novas ocorrências", examples=["high"]
    )
    is_emergency: bool = Field(
        default=False, description="Ocorrências desta categoria são emergências: vão à operação na hora."
    )
    operacao_category: OperacaoCategory = Field(
        default="outros", description="Categoria correspondente no sistema da operação"
    )
    position: int = Field(default=100, ge=0, le=10_000, description="Ordem na lista")


class CategoryUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    default_severity: Severity | None = None
    is_emergency: bool | None = None
    operacao_category: OperacaoCategory | None = None
    active: bool | None = Field(default=None, description="Desative em vez de excluir uma categoria em uso.")
    position: int | None = Field(default=None, ge=0, le=10_000)


class CategoryRef(BaseModel):
    id: int
    code: str
    name: str


# ---------------------------------------------------------------------- incidents


class IncidentCreate(Input):
    category_id: int | None = Field(default=None, ge=1, le=BODY_ID_MAX, description="Categoria (id)")
    category_code: str | None = Field(
        default=None,
        max_length=48,
        description="Categoria (código), alternativa ao id",
        examples=["reclamacao"],
    )
    title: str = Field(min_length=1, max_length=200, examples=["Cuidadora chegou 2 horas atrasada"])
    description: str | None = Field(default=None, max_length=10_000, description="O que aconteceu")
    severity: Severity | None = Field(default=None, description="Padrão: a gravidade da categoria")
    owner_id: int | None = Field(
        default=None,
        ge=1,
        le=BODY_ID_MAX,
        description="Responsável; padrão: quem abre. Outro exige supervisor.",
    )
    conversation_id: int | None = Field(default=None, ge=1, le=BODY_ID_MAX, description="Conversa de origem")
    contact_id: int | None = Field(
        default=None, ge=1, le=BODY_ID_MAX, description="Contato (preenchido pela conversa, se houver)"
    )
    crm_client_id: str | None = _external_id("CRM (cliente)")
    caregiver_id: str | None = _external_id("de cuidadores (cuidador)")
    service_id: str | None = _external_id("da operação (serviço/plantão)")


class IncidentUpdate(Input):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    severity: Severity | None = None
    category_id: int | None = Field(default=None, ge=1, le=BODY_ID_MAX)
    owner_id: int | None = Field(
        default=None, ge=1, le=BODY_ID_MAX, description="null: sem responsável (supervisor)"
    )
    crm_client_id: str | None = _external_id("CRM (cliente)")
    caregiver_id: str | None = _external_id("de cuidadores (cuidador)")
    service_id: str | None = _external_id("da operação (serviço/plantão)")


class StatusChange(Input):
    status: IncidentStatus = Field(examples=["resolved"])
    resolution: str | None = Field(
        default=None,
        max_length=10_000,
        description="Obrigatória para resolver",
        examples=["Cuidadora substituída"],
    )
    note: str | None = Field(default=None, max_length=5_000, description="Comentário na linha do tempo")


class NoteCreate(Input):
    note: str = Field(min_length=1, max_length=5_000, examples=["Cliente retornou a ligação às 14h"])


class EmergencyRequest(Input):
    category_code: str | None = Field(
        default=None, max_length=48, description="Padrão: emergencia_saude", examples=["queda_acidente"]
    )
    description: str | None = Field(default=None, max_length=5_000, examples=["Idosa caiu no banheiro"])


class AgentRef(BaseModel):
    id: int
    name: str


class EmergencyOut(BaseModel):
    delivery_state: DeliveryState
    delivery_state_label: str
    delivery_attempts: int
    delivery_last_error: str | None
    delivered_at: datetime | None
    operacao_occurrence_id: str | None
    operacao_protocol: str | None
    source: str | None
    acknowledged_at: datetime | None
    acknowledged_by: AgentRef | None


class IncidentOut(BaseModel):
    id: int
    category: CategoryRef
    severity: Severity
    severity_label: str
    title: str
    description: str | None
    status: IncidentStatus
    status_label: str
    allowed_next: list[IncidentStatus]
    owner: AgentRef | None
    conversation_id: int | None
    contact_id: int | None
    crm_client_id: str | None
    caregiver_id: str | None
    service_id: str | None
    resolution: str | None
    is_emergency: bool
    emergency: EmergencyOut | None
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        status = IncidentStatus(incident.status)
        severity = Severity(incident.severity)
        emergency = None
        if incident.is_emergency and incident.delivery_state:
            state = DeliveryState(incident.delivery_state)
            emergency = EmergencyOut(
                delivery_state=state,
                delivery_state_label=state.label,
                delivery_attempts=incident.delivery_attempts,
                delivery_last_error=incident.delivery_last_error,
                delivered_at=incident.delivered_at,
                operacao_occurrence_id=incident.operacao_occurrence_id,
                operacao_protocol=incident.operacao_protocol,
                source=incident.source,
                acknowledged_at=incident.acknowledged_at,
                acknowledged_by=AgentRef(
                    id=incident.acknowledged_by_id, name=incident.acknowledged_by_name or ""
                )
                if incident.acknowledged_by_id
                else None,
            )
        return cls(
            id=incident.id,
            category=CategoryRef(
                id=incident.category.id, code=incident.category.code, name=incident.category.name
            ),
            severity=severity,
            severity_label=severity.label,
            title=incident.title,
            description=incident.description,
            status=status,
            status_label=status.label,
            allowed_next=sorted(ALLOWED_TRANSITIONS[status]),
            owner=AgentRef(id=incident.owner.id, name=incident.owner.name) if incident.owner else None,
            conversation_id=incident.conversation_id,
            contact_id=incident.contact_id,
            crm_client_id=incident.crm_client_id,
            caregiver_id=incident.caregiver_id,
            service_id=incident.service_id,
            resolution=incident.resolution,
            is_emergency=incident.is_emergency,
            emergency=emergency,
            created_at=incident.created_at,
            updated_at=incident.updated_at,
            status_changed_at=incident.status_changed_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
        )


class TimelineEntryOut(BaseModel):
    id: int
    action: str
    action_label: str
    actor_type: str
    actor_id: int | None
    actor_name: str
    note: str | None
    details: dict[str, object] | None
    created_at: datetime

    @classmethod
    def of(cls, event: IncidentEvent) -> TimelineEntryOut:
        try:
            label = TimelineAction(event.action).label
        except ValueError:
            label = event.action
        return cls(
            id=event.id,
            action=event.action,
            action_label=label,
            actor_type=event.actor_type,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            note=event.note,
            details=event.details,
            created_at=event.created_at,
        )


class IncidentDetailOut(IncidentOut):
    timeline: list[TimelineEntryOut]


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None = Field(description="Passe em `cursor` para a próxima página; null no fim.")


class BannerItem(BaseModel):
    incident_id: int
    category: CategoryRef
    text: str
    delivery_state: DeliveryState
    delivery_state_label: str
    operacao_protocol: str | None
    reported_at: datetime

    @classmethod
    def of(cls, incident: Incident) -> BannerItem:
        state = DeliveryState(incident.delivery_state or DeliveryState.pending.value)
        return cls(
            incident_id=incident.id,
            category=CategoryRef(
                id=incident.category.id, code=incident.category.code, name=incident.category.name
            ),
            text=banner_text(incident),
            delivery_state=state,
            delivery_state_label=state.label,
            operacao_protocol=incident.operacao_protocol,
            reported_at=incident.created_at,
        )


class BannerOut(BaseModel):
    active: bool = Field(description="Há emergência sem reconhecimento nesta conversa")
    emergencies: list[BannerItem]
