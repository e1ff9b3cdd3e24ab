"""The seven inbound webhooks: path, sender, canonical event type and payload model."""

from __future__ import annotations

from dataclasses import dataclass

from carinho.integracoes.webhooks.schemas import (
    CrmClientRegistered,
    CuidadoresFeedback,
    FinanceiroPayment,
    FinanceiroPayout,
    InboundPayload,
    OperacaoServiceCompleted,
    SiteLead,
)

ZAPI_SOURCE = "zapi"

# Canonical event types of Z-API callbacks (by callback class name).
WHATSAPP_EVENT_TYPES = {
    "ReceivedMessage": "whatsapp.message.received",
    "MessageStatus": "whatsapp.message.status",
    "DeliveryReport": "whatsapp.delivery",
    "ConnectionChange": "whatsapp.connection",
    "PresenceUpdate": "whatsapp.presence",
    "UnknownCallback": "whatsapp.unknown",
}


@dataclass(frozen=True)
class SystemWebhook:
    """A webhook sent by a Carinho system (spatie `Signature` or Standard Webhooks)."""

    path: str
    source: str  # the sending system; its secret is WEBHOOK_SECRET_<SOURCE>
    event_type: str
    model: type[InboundPayload]
    summary: str


SYSTEM_WEBHOOKS: tuple[SystemWebhook, ...] = (
    SystemWebhook("/webhooks/site/lead", "site", "lead.created", SiteLead, "Novo lead do site"),
    SystemWebhook(
        "/webhooks/crm/client-registered",
        "crm",
        "client.registered",
        CrmClientRegistered,
        "Cliente cadastrado no CRM",
    ),
    SystemWebhook(
        "/webhooks/operacao/service-completed",
        "operacao",
        "service.completed",
        OperacaoServiceCompleted,
        "Serviço finalizado na operação",
    ),
    SystemWebhook(
        "/webhooks/financeiro/payment",
        "financeiro",
        "payment.received",
        FinanceiroPayment,
        "Pagamento recebido",
    ),
    SystemWebhook(
        "/webhooks/financeiro/payout",
        "financeiro",
        "payout.processed",
        FinanceiroPayout,
        "Repasse processado",
    ),
    SystemWebhook(
        "/webhooks/cuidadores/feedback",
        "cuidadores",
        "feedback.received",
        CuidadoresFeedback,
        "Feedback sobre um atendimento",
    ),
)
