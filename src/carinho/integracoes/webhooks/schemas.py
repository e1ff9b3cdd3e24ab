"""One liberal Pydantic model per Carinho system that sends us webhooks.

Liberal: unknown fields are kept (never a rejection), Portuguese field names are accepted as aliases,
and a Laravel-style envelope `{"event": ..., "data": {...}}` is unwrapped. Normalised: Brazilian phones
to E.164 digits, names trimmed and single-spaced, timestamps in UTC (naive ones are Brazil time, as the
Laravel apps send them), ids as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from carinho.kit.emails import EmailAddress
from carinho.kit.phones import normalize_br_phone

BRAZIL = ZoneInfo("America/Sao_Paulo")


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class InboundPayload(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )

    # The field holding the sender's own id of the thing (used for idempotency when no header is sent).
    id_field: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _unwrap_envelope(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
            outer = {k: v for k, v in data.items() if k != "data"}
            return outer | dict(data["data"])
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def own_id(self) -> str | None:
        value = getattr(self, self.id_field, None)
        return str(value) if value else None

    def normalized(self) -> str:
        """The normalised payload as JSON text, as stored."""
        return self.model_dump_json()


def _phone(value: Any) -> str | None:
    if value is None:
        return None
    normalized = normalize_br_phone(value if isinstance(value, str | int) else str(value))
    if normalized is None:
        raise ValueError("invalid Brazilian phone number")
    return normalized


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _name(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BRAZIL)
    return value.astimezone(ZoneInfo("UTC"))


class _Normalizing(InboundPayload):
    """Applies the phone / name / timestamp normalisation to the fields named in the subclasses."""

    phone_fields: ClassVar[tuple[str, ...]] = ()
    name_fields: ClassVar[tuple[str, ...]] = ()
    time_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _normalize(self) -> _Normalizing:
        for name in self.phone_fields:
            object.__setattr__(self, name, _phone(getattr(self, name)))
        for name in self.name_fields:
            object.__setattr__(self, name, _name(getattr(self, name)))
        for name in self.time_fields:
            object.__setattr__(self, name, _utc(getattr(self, name)))
        return self


class SiteLead(_Normalizing):
    """`POST /webhooks/site/lead` → `lead.created`. A name and a phone are required: the CRM
    registers leads by phone (docs/contratos/crm.md, `POST /leads`: `phone` required), so a lead with
    only an e-mail is refused here rather than acknowledged and dead-lettered."""

    id_field = "lead_id"
    phone_fields = ("phone",)
    name_fields = ("name",)
    time_fields = ("created_at",)
    model_config = ConfigDict(
        json_schema_extra={
            "required": ["name", "phone"],
            "examples": [
                {
                    "lead_id": 8812,
                    "name": "Maria da Conceição Souza",
                    "phone": "(11) 91234-5678",
                    "email": "maria.souza@example.com.br",
                    "city": "São Paulo",
                    "service_type": "cuidador_diurno",
                    "message": "Preciso de cuidadora para minha mãe, 82 anos.",
                    "utm_source": "google",
                    "utm_medium": "cpc",
                    "utm_campaign": "cuidadores-sp",
                    "consent": True,
                    "created_at": "2026-11-28T09:15:00-03:00",
                }
            ],
        }
    )

    lead_id: str | None = Field(None, validation_alias=_aliases("lead_id", "id"))
    name: str = Field(min_length=1, max_length=200, validation_alias=_aliases("name", "nome"))
    # Required, with a message that says why (a plain required field would only say "Field
    # required"): validated even when missing, and documented as a required string.
    phone: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "description": "Required: the CRM registers leads by phone."}),
    ] = Field(
        None,
        validate_default=True,
        validation_alias=_aliases("phone", "telefone", "whatsapp", "celular"),
        json_schema_extra=_no_default,
    )
    email: EmailAddress | None = None
    city: str | None = Field(None, validation_alias=_aliases("city", "cidade"))
    state: str | None = Field(None, validation_alias=_aliases("state", "estado", "uf"))
    service_type: str | None = Field(None, validation_alias=_aliases("service_type", "servico", "service"))
    message: str | None = Field(None, validation_alias=_aliases("message", "mensagem"))
    origin: str = Field("site", validation_alias=_aliases("origin", "origem", "source"))
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    consent: bool | None = Field(None, validation_alias=_aliases("consent", "lgpd_consent", "consentimento"))
    created_at: datetime | None = Field(None, validation_alias=_aliases("created_at", "criado_em"))

    @field_validator("phone", mode="after")
    @classmethod
    def _required_phone(cls, value: str | None) -> str:
        if not value:
            raise ValueError("a phone is required: the CRM registers leads by phone")
        return value


class CrmClientRegistered(_Normalizing):
    """`POST /webhooks/crm/client-registered` → `client.registered`."""

    id_field = "client_id"
    phone_fields = ("phone",)
    name_fields = ("name",)
    time_fields = ("registered_at",)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "C-1001",
                    "lead_id": 8812,
                    "name": "Ana Lima",
                    "phone": "+55 11 91234-5678",
                    "email": "ana.lima@example.com.br",
                    "city": "Campinas",
                    "plan": "mensal",
                    "registered_at": "2026-11-28 10:00:00",
                }
            ]
        }
    )

    client_id: str = Field(min_length=1, validation_alias=_aliases("client_id", "cliente_id", "id"))
    lead_id: str | None = None
    name: str = Field(min_length=1, max_length=200, validation_alias=_aliases("name", "nome"))
    phone: str | None = Field(None, validation_alias=_aliases("phone", "telefone", "whatsapp", "celular"))
    email: EmailAddress | None = None
    city: str | None = Field(None, validation_alias=_aliases("city", "cidade"))
    plan: str | None = Field(None, validation_alias=_aliases("plan", "plano"))
    registered_at: datetime | None = Field(
        None, validation_alias=_aliases("registered_at", "created_at", "cadastrado_em")
    )


class OperacaoServiceCompleted(_Normalizing):
    """`POST /webhooks/operacao/service-completed` → `service.completed`."""

    id_field = "service_id"
    phone_fields = ("client_phone",)
    name_fields = ("client_name", "caregiver_name")
    time_fields = ("started_at", "completed_at")
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_id": 5531,
                    "client_id": "C-1001",
                    "client_name": "Ana Lima",
                    "client_phone": "11912345678",
                    "client_email": "ana.lima@example.com.br",
                    "caregiver_id": 77,
                    "caregiver_name": "Joana Pereira",
                    "started_at": "2026-11-28T08:00:00-03:00",
                    "completed_at": "2026-11-28T20:00:00-03:00",
                    "duration_minutes": 720,
                }
            ]
        }
    )

    service_id: str = Field(min_length=1, validation_alias=_aliases("service_id", "servico_id", "id"))
    client_id: str | None = Field(None, validation_alias=_aliases("client_id", "cliente_id"))
    client_name: str | None = Field(None, validation_alias=_aliases("client_name", "cliente_nome"))
    client_phone: str | None = Field(None, validation_alias=_aliases("client_phone", "cliente_telefone"))
    client_email: EmailAddress | None = Field(
        None, validation_alias=_aliases("client_email", "cliente_email")
    )
    caregiver_id: str | None = Field(None, validation_alias=_aliases("caregiver_id", "cuidador_id"))
    caregiver_name: str | None = Field(None, validation_alias=_aliases("caregiver_name", "cuidador_nome"))
    started_at: datetime | None = Field(None, validation_alias=_aliases("started_at", "iniciado_em"))
    completed_at: datetime | None = Field(
        None, validation_alias=_aliases("completed_at", "finished_at", "finalizado_em")
    )
    duration_minutes: int | None = Field(None, ge=0)


class FinanceiroPayment(_Normalizing):
    """`POST /webhooks/financeiro/payment` → `payment.received`."""

    id_field = "payment_id"
    time_fields = ("paid_at",)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "payment_id": "PAY-2026-0042",
                    "client_id": "C-1001",
                    "invoice_id": "INV-889",
                    "amount": "1850.00",
                    "currency": "BRL",
                    "method": "pix",
                    "status": "paid",
                    "paid_at": "2026-11-28T13:05:00Z",
                }
            ]
        }
    )

    payment_id: str = Field(min_length=1, validation_alias=_aliases("payment_id", "pagamento_id", "id"))
    client_id: str | None = Field(None, validation_alias=_aliases("client_id", "cliente_id"))
    invoice_id: str | None = Field(None, validation_alias=_aliases("invoice_id", "fatura_id"))
    amount: Decimal = Field(
        ge=0, max_digits=14, decimal_places=2, validation_alias=_aliases("amount", "valor")
    )
    currency: str = Field("BRL", min_length=3, max_length=3)
    method: str | None = Field(None, validation_alias=_aliases("method", "metodo", "forma_pagamento"))
    status: str = "paid"
    paid_at: datetime | None = Field(None, validation_alias=_aliases("paid_at", "pago_em"))


class FinanceiroPayout(_Normalizing):
    """`POST /webhooks/financeiro/payout` → `payout.processed` (a caregiver's repasse)."""

    id_field = "payout_id"
    time_fields = ("processed_at",)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "payout_id": "REP-2026-11-077",
                    "caregiver_id": 77,
                    "amount": "1320.50",
                    "currency": "BRL",
                    "status": "processed",
                    "period_start": "2026-11-01",
                    "period_end": "2026-11-15",
                    "processed_at": "2026-11-28T12:00:00Z",
                }
            ]
        }
    )

    payout_id: str = Field(min_length=1, validation_alias=_aliases("payout_id", "repasse_id", "id"))
    caregiver_id: str = Field(min_length=1, validation_alias=_aliases("caregiver_id", "cuidador_id"))
    amount: Decimal = Field(
        ge=0, max_digits=14, decimal_places=2, validation_alias=_aliases("amount", "valor")
    )
    currency: str = Field("BRL", min_length=3, max_length=3)
    status: str = "processed"
    period_start: str | None = None
    period_end: str | None = None
    processed_at: datetime | None = Field(None, validation_alias=_aliases("processed_at", "processado_em"))


class CuidadoresFeedback(_Normalizing):
    """`POST /webhooks/cuidadores/feedback` → `feedback.received`."""

    id_field = "feedback_id"
    time_fields = ("created_at",)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "feedback_id": 301,
                    "service_id": 5531,
                    "caregiver_id": 77,
                    "client_id": "C-1001",
                    "rating": 9,
                    "comment": "A Joana foi atenciosa e pontual.",
                    "created_at": "2026-11-28T22:10:00-03:00",
                }
            ]
        }
    )

    feedback_id: str | None = Field(None, validation_alias=_aliases("feedback_id", "id"))
    service_id: str | None = Field(None, validation_alias=_aliases("service_id", "servico_id"))
    caregiver_id: str | None = Field(None, validation_alias=_aliases("caregiver_id", "cuidador_id"))
    client_id: str | None = Field(None, validation_alias=_aliases("client_id", "cliente_id"))
    # Cuidadores rates 0–10, as its own API and the CRM do (docs/contratos/cuidadores.md, crm.md).
    rating: int = Field(ge=0, le=10, validation_alias=_aliases("rating", "nota"))
    comment: str | None = Field(None, max_length=5000, validation_alias=_aliases("comment", "comentario"))
    # How the client gave it, when cuidadores says so (one of the CRM's channels); passed on as is.
    channel: Literal["whatsapp", "email", "link"] | None = Field(
        None, validation_alias=_aliases("channel", "canal")
    )
    created_at: datetime | None = Field(None, validation_alias=_aliases("created_at", "criado_em"))
