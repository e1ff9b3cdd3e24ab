"""Activity lines: the changes of a conversation shown among its messages, as Chatwoot does (who
took it, transferred it and why, resolved or reopened it, escalated it and why), from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carinho.atendimento.history.models import ActorType, HistoryEntry
from carinho.atendimento.history.service import Action


@dataclass
class Activity:
    """A change of the conversation shown among its messages (as Chatwoot's activity lines)."""

    moment: datetime
    text: str
    detail: str | None = None
    type: str = "activity"


ACTIVITY_ACTIONS = (
    Action.assigned,
    Action.transferred,
    Action.reassigned,
    Action.status_changed,
    Action.conversation_reopened,
    Action.escalated,
    Action.deescalated,
)
STATUS_DONE = {
    "open": "reabriu a conversa",
    "pending": "marcou a conversa como pendente",
    "waiting_customer": "marcou a conversa como aguardando o cliente",
    "resolved": "resolveu a conversa",
    "closed": "fechou a conversa",
}


def _actor(entry: HistoryEntry) -> str:
    if entry.actor_type == ActorType.agent.value:
        return entry.actor_name or "Um atendente"
    if entry.actor_type == ActorType.contact.value:
        return "O cliente"
    return "A automação" if entry.actor_type == ActorType.automation.value else "O sistema"


def activity(entry: HistoryEntry) -> Activity:
    """One history entry in a sentence (pt-BR), with the note or reason given."""
    before, after, details = entry.before or {}, entry.after or {}, entry.details or {}
    who = _actor(entry)
    target = after.get("assignee_name") or "outro atendente"
    detail = None
    if entry.action == Action.assigned:
        if not after.get("assignee_id"):
            text = f"{who} devolveu a conversa à fila"
        elif entry.actor_type == ActorType.agent.value and entry.actor_id == after.get("assignee_id"):
            text = f"{who} assumiu a conversa"
        elif entry.actor_type == ActorType.automation.value:
            text = f"Conversa distribuída automaticamente para {target}"
        else:
            text = f"{who} atribuiu a conversa a {target}"
    elif entry.action == Action.transferred:
        text = f"{who} transferiu a conversa para {target}"
        detail = details.get("note")
    elif entry.action == Action.reassigned:
        text = f"Conversa redistribuída para {target}"
        detail = details.get("reason")
    elif entry.action == Action.status_changed:
        text = f"{who} {STATUS_DONE.get(str(after.get('status')), 'mudou a situação da conversa')}"
    elif entry.action == Action.conversation_reopened:
        text = "Conversa reaberta por uma nova mensagem do cliente"
    else:
        verb = "escalou" if entry.action == Action.escalated else "devolveu"
        text = f"{who} {verb} a conversa de {before.get('level', '?')} para {after.get('level', '?')}"
        detail = details.get("reason")
    return Activity(entry.created_at, text, str(detail) if detail else None)
