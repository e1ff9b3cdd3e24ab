"""The audit trail as a person reads it: what happened (the history service's pt-BR labels), who did
it, and the change in a few words (N1 → N2, Novo → Em atendimento, the reason given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from carinho.atendimento.agents.models import Role
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.history.models import ActorType, HistoryEntry
from carinho.atendimento.history.service import ACTION_LABELS, Action
from carinho.atendimento.inbox.models import ConversationStatus, Priority
from carinho.atendimento.incidents.models import IncidentStatus, Severity
from carinho.atendimento.sla.models import Target
from carinho.atendimento.triage.models import TriageOutcome

DOCUMENTS = {"proposal": "proposta", "contract": "contrato"}
OUTCOMES = {
    TriageOutcome.qualified.value: "qualificado",
    TriageOutcome.not_qualified.value: "não qualificado",
}
CONTACT_FIELDS = {"name": "nome", "email": "e-mail"}
# Actions worth a coloured mark on the timeline.
TONES = {
    Action.escalated: "warning",
    Action.deescalated: "info",
    Action.sla_at_risk: "warning",
    Action.sla_breached: "danger",
    Action.message_failed: "danger",
    Action.document_failed: "danger",
    Action.incident_opened: "danger",
    Action.emergency_reported: "danger",
    Action.emergency_acknowledged: "success",
    Action.triage_completed: "success",
    Action.document_emailed: "success",
}


@dataclass
class HistoryLine:
    at: datetime
    title: str
    actor: str
    detail: str | None
    tone: str


def history_lines(
    entries: Sequence[HistoryEntry], questions: dict[str, str] | None = None
) -> list[HistoryLine]:
    """`questions`: the triage questions' texts by code, to say which one an answer was to."""
    return [
        HistoryLine(
            at=entry.created_at,
            title=ACTION_LABELS.get(entry.action, entry.action),
            actor=actor_text(entry),
            detail=describe(entry, questions or {}),
            tone=TONES.get(entry.action, "neutral"),
        )
        for entry in entries
    ]


class ActorRecord(Protocol):
    """Anything that records who acted: an audit-trail entry, an incident's timeline event."""

    @property
    def actor_type(self) -> str: ...
    @property
    def actor_name(self) -> str | None: ...


def actor_text(entry: ActorRecord) -> str:
    if entry.actor_type == ActorType.agent.value:
        return entry.actor_name or "Atendente"
    if entry.actor_type == ActorType.contact.value:
        return "Contato"
    if entry.actor_type == ActorType.automation.value:
        return "Automação"
    return "Sistema"


def _label(enum: Any, value: Any) -> str:
    try:
        return str(enum(value).label)
    except (ValueError, KeyError):
        return str(value)


def _arrow(before: dict[str, Any], after: dict[str, Any], key: str, enum: Any = None) -> str | None:
    if key not in after:
        return None
    new = _label(enum, after[key]) if enum else str(after[key])
    if before.get(key) is None:
        return new
    old = _label(enum, before[key]) if enum else str(before[key])
    return f"{old} → {new}"


def _level(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    text = _arrow(b, a, "level")
    reason = d.get("reason")
    if text and reason:
        return f"{text} · Motivo: {reason}"
    return text or (f"Motivo: {reason}" if reason else None)


def _assignee(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    name = a.get("assignee_name")
    text = f"para {name}" if name else ("sem responsável" if "assignee_id" in a else None)
    note = d.get("note") or d.get("reason")
    if text and isinstance(note, str) and note:
        return f"{text} · {note}"
    return text


def _funnel(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    text = _arrow(b, a, "funnel_stage", FunnelStage)
    if d.get("note"):
        text = f"{text} · {d['note']}" if text else str(d["note"])
    return text


def _triage(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    if "outcome" in a:
        return f"Resultado: {OUTCOMES.get(a['outcome'], a['outcome'])}"
    return None


def _document(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    kind = a.get("kind")
    return DOCUMENTS.get(kind, kind).capitalize() if kind else None


def _incident(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    parts = []
    if "status" in a:
        parts.append(_arrow(b, a, "status", IncidentStatus))
    if "severity" in a:
        parts.append(f"Gravidade {_label(Severity, a['severity']).lower()}")
    return " · ".join(p for p in parts if p) or None


def _sla(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    target = a.get("target") or d.get("target")
    if target:
        return _label(Target, target).capitalize()
    if "priority" in a:
        return f"Prioridade {_label(Priority, a['priority']).lower()}"
    return None


def _contact(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    fields = a.get("fields") or []
    names = [CONTACT_FIELDS.get(f, f) for f in fields]
    return f"Campos: {', '.join(names)}" if names else None


def _label_change(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    name = a.get("label") or b.get("label")
    return str(name) if name else None


def _agent(
    key: str, enum: Any = None
) -> Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], str | None]:
    """An agent's account changed (the Auditoria page): whose, and the change."""

    def text(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
        change = _arrow(b, a, key, enum) if key else None
        name = d.get("agent_name")
        return ": ".join(str(p) for p in (name, change) if p) or None

    return text


def _template(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    return d.get("name") or a.get("name")


def _company_date(b: dict[str, Any], a: dict[str, Any], d: dict[str, Any]) -> str | None:
    row = a or b
    day = date.fromisoformat(row["day"]).strftime("%d/%m/%Y") if row.get("day") else None
    return " · ".join(str(p) for p in (day, row.get("description")) if p) or None


DESCRIBERS: dict[str, Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], str | None]] = {
    Action.escalated: _level,
    Action.deescalated: _level,
    Action.level_changed: lambda b, a, d: _arrow(b, a, "level"),
    Action.status_changed: lambda b, a, d: _arrow(b, a, "status", ConversationStatus),
    Action.priority_changed: lambda b, a, d: _arrow(b, a, "priority", Priority),
    Action.assigned: _assignee,
    Action.transferred: _assignee,
    Action.reassigned: _assignee,
    Action.funnel_moved: _funnel,
    Action.triage_completed: _triage,
    Action.document_sent: _document,
    Action.document_emailed: _document,
    Action.document_failed: _document,
    Action.incident_opened: _incident,
    Action.incident_updated: _incident,
    Action.incident_status_changed: _incident,
    Action.sla_at_risk: _sla,
    Action.sla_breached: _sla,
    Action.sla_recomputed: _sla,
    Action.contact_updated: _contact,
    Action.label_added: _label_change,
    Action.label_removed: _label_change,
    Action.agent_created: _agent(""),
    Action.agent_updated: _agent(""),
    Action.agent_role_changed: _agent("role", Role),
    Action.agent_level_changed: _agent("level"),
    Action.agent_deactivated: _agent(""),
    Action.agent_reactivated: _agent(""),
    Action.password_reset: _agent(""),
    Action.template_created: _template,
    Action.template_updated: _template,
    Action.company_date_added: _company_date,
    Action.company_date_removed: _company_date,
}


def describe(entry: HistoryEntry, questions: dict[str, str] | None = None) -> str | None:
    if entry.action == Action.triage_answered:
        code = (entry.after or {}).get("question")
        return (questions or {}).get(code, code) if isinstance(code, str) else None
    describer = DESCRIBERS.get(entry.action)
    if describer is None:
        return None
    try:
        return describer(entry.before or {}, entry.after or {}, entry.details or {})
    except (TypeError, AttributeError):  # an entry of an older shape: the title still tells the story
        return None
