"""What each section of the conversation's side panel shows, read through the services the JSON API
uses (the same calls as its endpoints), shaped for the templates. No rule lives here: who may do what
is the services' (the panel only hides a button the service would refuse)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.escalation.models import Escalation
from carinho.atendimento.escalation.service import escalation_service
from carinho.atendimento.funnel.models import (
    ALLOWED_TRANSITIONS,
    DocumentDispatch,
    FunnelStage,
    FunnelTransition,
    LossReason,
)
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import can_see
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.incidents.emergencies import banner_text, emergency_service
from carinho.atendimento.incidents.models import ALLOWED_TRANSITIONS as INCIDENT_TRANSITIONS
from carinho.atendimento.incidents.models import (
    DeliveryState,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from carinho.atendimento.incidents.service import incident_service
from carinho.atendimento.triage.service import triage_service
from carinho.atendimento.web.conversation_panel_history import HistoryLine, history_lines
from carinho.atendimento.web.conversation_panel_sla import SlaView, sla_view
from carinho.atendimento.web.conversation_panel_triage import TriageView, triage_view
from carinho.kit.clock import utcnow
from carinho.kit.names import first_name

SECTIONS = ("sla", "nivel", "funil", "triagem", "ocorrencias", "contato", "historico", "emergencia")
HISTORY_SHORT = 10
HISTORY_ALL = 500
# Message traffic (each message is three or four entries): the short trail shows what people did.
MESSAGE_TRAFFIC = (
    "message.received",
    "message.queued",
    "message.sent",
    "message.delivery_status",
)

STAGE_TONES = {
    FunnelStage.new.value: "info",
    FunnelStage.in_service.value: "primary",
    FunnelStage.qualified.value: "accent",
    FunnelStage.proposal_sent.value: "warning",
    FunnelStage.won.value: "success",
    FunnelStage.lost.value: "danger",
}
# The path a lead walks; Perdido is the exit from any open stage.
STAGE_PATH = [
    FunnelStage.new,
    FunnelStage.in_service,
    FunnelStage.qualified,
    FunnelStage.proposal_sent,
    FunnelStage.won,
]
SEVERITY_TONES = {"low": "neutral", "medium": "info", "high": "warning", "critical": "danger"}
INCIDENT_STATUS_TONES = {
    "open": "danger",
    "in_progress": "warning",
    "resolved": "success",
    "closed": "neutral",
}
DOCUMENT_STATUS = {
    "queued": ("na fila", "info"),
    "sent": ("enviado", "success"),
    "failed": ("falhou", "danger"),
}
DOCUMENT_KINDS = {"proposal": "Proposta", "contract": "Contrato"}
PROPOSAL_SUBJECT = "Proposta de atendimento — Carinho com Você"


# ---------------------------------------------------------------------- level (escalation)


@dataclass
class LevelView:
    level: str
    active: bool
    assignee_name: str | None
    up: list[str]
    down: list[str]
    can_deescalate: bool
    last: Escalation | None
    last_by: str | None


async def level_view(session: AsyncSession, agent: Agent, conversation: Conversation) -> LevelView:
    current = SupportLevel(conversation.level)
    escalations = await escalation_service.escalations(session, conversation)
    # The last change of level, when it is what brought the conversation here (an emergency also
    # raises the level, without an escalation of its own).
    last = escalations[-1] if escalations and escalations[-1].to_level == current.value else None
    last_by = None
    if last is not None and last.agent_id is not None:
        who = await session.get(Agent, last.agent_id)
        last_by = who.name if who else None
    return LevelView(
        level=current.value,
        active=conversation.is_active,
        assignee_name=conversation.assignee.name if conversation.assignee else None,
        up=[level.value for level in SupportLevel if level.rank > current.rank],
        down=[level.value for level in SupportLevel if level.rank < current.rank],
        can_deescalate=escalation_service.may_deescalate(agent, conversation),
        last=last,
        last_by=last_by,
    )


# ---------------------------------------------------------------------- funnel


@dataclass
class StepView:
    stage: str
    label: str
    state: str  # done | current | todo


@dataclass
class FunnelView:
    stage: str
    label: str
    tone: str
    steps: list[StepView]
    moves: list[tuple[str, str]]  # (stage, label) allowed next, but Perdido
    can_lose: bool
    loss_reasons: list[LossReason]
    loss_label: str | None
    loss_note: str | None
    since: datetime | None
    since_by: str | None


async def funnel_view(session: AsyncSession, conversation: Conversation) -> FunnelView:
    stage = FunnelStage(conversation.funnel_stage)
    allowed = ALLOWED_TRANSITIONS[stage]
    reasons = list(await funnel_service.loss_reasons(session))  # every one: a past loss keeps its label
    transitions: Sequence[FunnelTransition] = await funnel_service.transitions(session, conversation)
    last = transitions[-1] if transitions else None
    since_by = None
    if last is not None:
        who = await session.get(Agent, last.agent_id) if last.agent_id else None
        since_by = who.name if who else ("automático" if last.actor_type != "agent" else None)
    position = STAGE_PATH.index(stage) if stage in STAGE_PATH else -1
    steps = []
    for index, step in enumerate(STAGE_PATH):
        state = "done" if index < position else ("current" if index == position else "todo")
        steps.append(StepView(step.value, step.label, state))
    loss = next((r for r in reasons if r.id == conversation.loss_reason_id), None)
    order = {s: i for i, s in enumerate(FunnelStage)}
    return FunnelView(
        stage=stage.value,
        label=stage.label,
        tone=STAGE_TONES[stage.value],
        steps=steps,
        moves=[
            (s.value, s.label) for s in sorted(allowed, key=order.__getitem__) if s is not FunnelStage.lost
        ],
        can_lose=FunnelStage.lost in allowed,
        loss_reasons=[r for r in reasons if r.active],
        loss_label=loss.label if loss else None,
        loss_note=conversation.loss_note,
        since=last.created_at if last else None,
        since_by=since_by,
    )


# ---------------------------------------------------------------------- incidents and emergencies


@dataclass
class IncidentItem:
    incident: Incident
    severity_label: str
    severity_tone: str
    status_label: str
    status_tone: str
    delivery_label: str | None
    delivery_failed: bool
    # The statuses it may move to (the service's transitions), as (status, button text).
    moves: list[tuple[str, str]]


def move_label(current: IncidentStatus, target: IncidentStatus) -> str:
    """What a status move is called on its button."""
    if target is IncidentStatus.in_progress:
        return "Reabrir" if current is IncidentStatus.resolved else "Iniciar atendimento"
    return "Resolver" if target is IncidentStatus.resolved else "Fechar"


@dataclass
class IncidentsView:
    items: list[IncidentItem]
    emergency_categories: list[IncidentCategory]
    categories: list[IncidentCategory]
    severities: list[tuple[str, str]]
    is_supervisor: bool

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.items if item.incident.is_active)


def incident_item(incident: Incident) -> IncidentItem:
    status = IncidentStatus(incident.status)
    severity = Severity(incident.severity)
    delivery = DeliveryState(incident.delivery_state) if incident.delivery_state else None
    return IncidentItem(
        incident=incident,
        severity_label=severity.label,
        severity_tone=SEVERITY_TONES[severity.value],
        status_label=status.label,
        status_tone=INCIDENT_STATUS_TONES[status.value],
        delivery_label=delivery.label if delivery else None,
        delivery_failed=delivery is DeliveryState.failed,
        moves=[(target.value, move_label(status, target)) for target in sorted(INCIDENT_TRANSITIONS[status])],
    )


async def incidents_view(session: AsyncSession, agent: Agent, conversation: Conversation) -> IncidentsView:
    incidents = await incident_service.for_conversation(session, conversation)
    categories = list(await incident_service.categories(session, active=True))
    ordered = sorted(incidents, key=lambda i: (i.is_active, i.id), reverse=True)
    return IncidentsView(
        items=[incident_item(i) for i in ordered],
        emergency_categories=[c for c in categories if c.is_emergency],
        categories=[c for c in categories if not c.is_emergency],
        severities=[(s.value, s.label) for s in Severity],
        is_supervisor=agent.has_role(Role.supervisor),
    )


@dataclass
class EmergencyView:
    item: IncidentItem
    text: str

    @property
    def incident(self) -> Incident:
        return self.item.incident


async def emergency_views(session: AsyncSession, conversation: Conversation) -> list[EmergencyView]:
    """The emergencies nobody acknowledged yet (the banner), the emergency-banner endpoint's call."""
    return [
        EmergencyView(item=incident_item(incident), text=banner_text(incident))
        for incident in await emergency_service.banner(session, conversation)
    ]


# ---------------------------------------------------------------------- contact


@dataclass
class DocumentItem:
    dispatch: DocumentDispatch
    kind_label: str
    status_label: str
    status_tone: str


@dataclass
class ContactView:
    contact: Contact
    crm_url: str | None
    documents: list[DocumentItem]
    proposal_subject: str
    proposal_body: str


async def contact_view(session: AsyncSession, agent: Agent, conversation: Conversation) -> ContactView:
    contact = conversation.contact
    documents = await funnel_service.documents(session, conversation)
    name = first_name(contact.name)  # "Dona Rosa Lima" → "Rosa"
    greeting = f"Olá, {name}!" if name else "Olá!"
    body = (
        f"{greeting}\n\n"
        "Conforme conversamos pelo WhatsApp, segue a proposta de atendimento da Carinho com Você. "
        "Qualquer dúvida, é só responder este e-mail ou falar conosco pelo WhatsApp.\n\n"
        f"Atenciosamente,\n{agent.name}"
    )
    return ContactView(
        contact=contact,
        crm_url=crm_lead_url(contact.crm_lead_id),
        documents=[
            DocumentItem(
                dispatch=d,
                kind_label=DOCUMENT_KINDS.get(d.kind, "Documento"),
                status_label=DOCUMENT_STATUS.get(d.status, (d.status, "neutral"))[0],
                status_tone=DOCUMENT_STATUS.get(d.status, (d.status, "neutral"))[1],
            )
            for d in sorted(documents, key=lambda d: d.id, reverse=True)
        ],
        proposal_subject=PROPOSAL_SUBJECT,
        proposal_body=body,
    )


def crm_lead_url(lead_id: str | None) -> str | None:
    """The lead's page in the CRM (CARINHO_CRM_URL + /leads/{id}), when the CRM's address is known."""
    if not lead_id or not runtime.is_configured():
        return None
    base = runtime.current().settings.system_url("crm").rstrip("/")
    return f"{base}/leads/{lead_id}" if base else None


# ---------------------------------------------------------------------- audit trail


@dataclass
class HistoryView:
    lines: list[HistoryLine]
    total: int
    showing_all: bool


async def history_view(session: AsyncSession, conversation: Conversation, *, everything: bool) -> HistoryView:
    exclude: Collection[str] = () if everything else MESSAGE_TRAFFIC
    limit = HISTORY_ALL if everything else HISTORY_SHORT
    entries: Sequence[HistoryEntry]
    entries, total = await history_service.recent_for_conversation(
        session, conversation.id, limit=limit, exclude_actions=exclude
    )
    questions: dict[str, str] = {}
    if any(entry.action == Action.triage_answered for entry in entries):
        questions = {q.code: q.text for v in await triage_service.versions(session) for q in v.questions}
    return HistoryView(lines=history_lines(entries, questions), total=total, showing_all=everything)


# ---------------------------------------------------------------------- the whole panel


@dataclass
class PanelView:
    conversation: Conversation
    agent: Agent
    now: datetime
    sla: SlaView | None = None
    level: LevelView | None = None
    funnel: FunnelView | None = None
    triage: TriageView | None = None
    incidents: IncidentsView | None = None
    emergencies: list[EmergencyView] = field(default_factory=list)
    contact: ContactView | None = None
    history: HistoryView | None = None
    # The section an action just changed: its heading takes the focus (keyboard and screen readers).
    focus: str | None = None

    @property
    def id(self) -> int:
        return self.conversation.id

    @property
    def visible(self) -> bool:
        return can_see(self.agent, self.conversation)


async def build_panel(
    session: AsyncSession,
    agent: Agent,
    conversation: Conversation,
    sections: Collection[str] = SECTIONS,
    *,
    history_everything: bool = False,
) -> PanelView:
    """The panel with the sections asked for (a live refresh reads one, the page reads all)."""
    view = PanelView(conversation=conversation, agent=agent, now=utcnow())
    if "sla" in sections:
        view.sla = await sla_view(session, conversation, view.now)
    if "nivel" in sections:
        view.level = await level_view(session, agent, conversation)
    if "funil" in sections:
        view.funnel = await funnel_view(session, conversation)
    if "triagem" in sections:
        view.triage = await triage_view(session, conversation)
    if "ocorrencias" in sections:
        view.incidents = await incidents_view(session, agent, conversation)
    if "emergencia" in sections:
        view.emergencies = await emergency_views(session, conversation)
    if "contato" in sections:
        view.contact = await contact_view(session, agent, conversation)
    if "historico" in sections:
        view.history = await history_view(session, conversation, everything=history_everything)
    return view
