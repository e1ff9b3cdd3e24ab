from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carinho.atendimento.retention.models import DataClass, RequestKind
from carinho.kit.text import reject_nul

Months = Annotated[int, Field(ge=0, le=1200)]


class PolicyOut(BaseModel):
    data_class: DataClass
    label: str
    months: int | None = Field(description="Meses de guarda; null = guardar para sempre.", examples=[24])


class ExceptionsOut(BaseModel):
    keep_active_conversations: bool = Field(
        description="Na exclusão a pedido do titular, manter conversas ainda em andamento."
    )
    keep_open_incidents: bool = Field(description="Manter conversas vinculadas a uma ocorrência aberta.")
    keep_contracts: bool = Field(
        description="Manter conversas que fecharam contrato, dentro do prazo legal de guarda."
    )
    contract_retention_months: int = Field(description="Prazo de guarda de registros de contrato, em meses.")
    export_ttl_days: int = Field(description="Dias em que uma exportação fica disponível para download.")


class RetentionOut(BaseModel):
    policies: list[PolicyOut]
    exceptions: ExceptionsOut


class ExceptionsIn(BaseModel):
    keep_active_conversations: bool | None = None
    keep_open_incidents: bool | None = None
    keep_contracts: bool | None = None
    contract_retention_months: int | None = Field(default=None, ge=1, le=1200, examples=[60])
    export_ttl_days: int | None = Field(default=None, ge=1, le=90, examples=[7])


class RetentionIn(BaseModel):
    policies: dict[DataClass, Months | None] | None = Field(
        default=None,
        description="Meses de guarda por classe de dado; 0 ou null = guardar para sempre.",
        examples=[{"message_text": 24, "attachments": 12, "contact_data": 60, "audit_trail": 60}],
    )
    exceptions: ExceptionsIn | None = None


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    trigger: str
    requested_by_id: int | None
    started_at: datetime
    finished_at: datetime | None
    cutoffs: dict[str, Any] = Field(description="Instante de corte por classe de dado (null = sem corte).")
    step: str = Field(description="Etapa em que a execução está (finished ao terminar).")
    batches: int
    counts: dict[str, Any] = Field(description="Registros anonimizados por classe de dado.")
    details: dict[str, Any] = Field(description="Registros anonimizados por etapa.")
    sources: dict[str, Any] = Field(description="Registros anonimizados por fonte registrada.")


class PrivacyRequestIn(BaseModel):
    kind: RequestKind = Field(description="export (exportar os dados) ou erase (apagar os dados).")
    phone: str | None = Field(default=None, max_length=40, examples=["(11) 91234-5678"])
    email: str | None = Field(default=None, max_length=190, examples=["maria@example.com"])
    reason: str = Field(
        min_length=3,
        max_length=2000,
        description="Motivo e origem da solicitação (ex.: pedido por e-mail do titular, protocolo).",
        examples=["Pedido do titular por e-mail em 28/11, protocolo 123"],
    )

    @field_validator("phone", "email", "reason")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        return None if value is None else reject_nul(value)


class PrivacyRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str = Field(description="completed, completed_with_exceptions ou no_data.")
    subject_type: str
    subject_masked: str = Field(description="Telefone ou e-mail do titular, mascarado.")
    reason: str
    requester_type: str
    requester_id: int | None
    requester_name: str
    contact_ids: list[int]
    result: dict[str, Any] = Field(
        description="Resumo: o que foi exportado/apagado e o que foi mantido e por quê."
    )
    hub_status: str | None = Field(
        default=None,
        description="Exclusão no hub de integrações: pending (tentando até o hub confirmar) ou done; "
        "detalhes em result.hub.",
    )
    export_available: bool
    export_expires_at: datetime | None
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, request: Any) -> PrivacyRequestOut:
        return cls.model_validate(
            {
                **{k: getattr(request, k) for k in cls.model_fields if hasattr(request, k)},
                "export_available": request.export_data is not None,
            }
        )
