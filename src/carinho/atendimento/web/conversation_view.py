"""What the conversation view shows, computed from the services' rows: the thread's entries (day
headings, messages with their sender, marks and delivery ticks), the header's choices and the
composer's templates. Pure presentation: every rule stays in the services."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.service import history_service
from carinho.atendimento.inbox.access import can_see, sees_everything
from carinho.atendimento.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageKind,
    Priority,
    SenderType,
)
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.labels.models import Label
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.rendering import CATEGORIES
from carinho.atendimento.templates.service import template_service
from carinho.atendimento.web.conversation_activity import ACTIVITY_ACTIONS, Activity, activity
from carinho.atendimento.web.read_once import all_agents, all_labels, all_templates
from carinho.kit.ui.formatting import local, number_br

# What an automatic message without a template was sent for (Message.automation).
AUTOMATION_LABELS = {
    "welcome": "Boas-vindas",
    "out_of_hours": "Fora do horário",
    "queue_notice": "Aviso de fila",
    "follow_up": "Acompanhamento",
    "closing": "Encerramento",
    "emergency": "Emergência",
    "nps_survey": "Pesquisa de satisfação",
    "nps_reminder": "Lembrete da pesquisa de satisfação",
    "nps_thanks": "Agradecimento da pesquisa de satisfação",
}

KIND_LABELS = {
    MessageKind.image: "Imagem",
    MessageKind.document: "Documento",
    MessageKind.audio: "Áudio",
    MessageKind.video: "Vídeo",
    MessageKind.sticker: "Figurinha",
    MessageKind.location: "Localização",
    MessageKind.contact: "Contato",
}


@dataclass(frozen=True)
class Tick:
    """The delivery state of an outbound message: a mark for the eye, a word for screen readers."""

    css: str
    symbol: str
    label: str


TICKS = {
    "queued": Tick("pending", "", "Enviando"),
    "sending": Tick("pending", "", "Enviando"),
    "sent": Tick("sent", "✓", "Enviada"),
    "received": Tick("received", "✓✓", "Entregue"),
    "read": Tick("read", "✓✓", "Lida"),
    "failed": Tick("failed", "⚠", "Falha no envio"),
}


@dataclass
class DayHeading:
    moment: datetime
    type: str = "day"


@dataclass
class MessageView:
    message: Message
    side: str  # in | out | note
    sender: str
    marks: list[str] = field(default_factory=list)
    tick: Tick | None = None
    quoted: str | None = None
    automatic: bool = False
    show_sender: bool = True
    type: str = "message"
    # The time as the thread shows it (computed once: a thread renders a thousand of them).
    hhmm: str = ""
    iso: str = ""
    full: str = ""

    @property
    def kind(self) -> str:
        return self.message.kind

    @property
    def media_url(self) -> str | None:
        """Only web addresses become links or media sources."""
        url = self.message.media_url
        return url if url and url.lower().startswith(("https://", "http://")) else None

    @property
    def file_name(self) -> str:
        message = self.message
        if message.media_file_name:
            return message.media_file_name
        if message.media_url:
            tail = message.media_url.rsplit("/", 1)[-1].split("?", 1)[0]
            if tail and "." in tail:
                return tail
        return "Documento"

    @property
    def file_details(self) -> str:
        """'PDF · 1,2 MB'."""
        parts = []
        name = self.file_name
        if "." in name:
            parts.append(name.rsplit(".", 1)[-1].upper()[:6])
        size = self.message.media_size
        if size:
            parts.append(file_size(size))
        return " · ".join(parts)

    @property
    def seconds(self) -> str:
        value = (self.message.extra or {}).get("seconds")
        if not isinstance(value, int | float) or value <= 0:
            return ""
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def location(self) -> dict[str, Any] | None:
        """Name, address and a map link of a shared location."""
        data = (self.message.extra or {}).get("location") or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None or longitude is None) and self.message.content and "," in self.message.content:
            latitude, _, longitude = self.message.content.partition(",")
        try:
            lat, lon = float(str(latitude)), float(str(longitude))
        except (TypeError, ValueError):
            return {"name": data.get("name") or "", "address": self.message.content or "", "url": None}
        valid = -90 <= lat <= 90 and -180 <= lon <= 180
        return {
            "name": data.get("name") or "",
            "address": data.get("address") or "",
            "url": f"https://www.google.com/maps?q={lat},{lon}" if valid else None,
            "coordinates": f"{number_br(lat, 5)}, {number_br(lon, 5)}",
        }

    @property
    def shared_contact(self) -> dict[str, Any]:
        data = (self.message.extra or {}).get("contact") or {}
        phones = data.get("phones") or []
        return {
            "name": data.get("display_name") or self.message.content or "Contato",
            "phones": [str(p) for p in phones if p] if isinstance(phones, list) else [],
        }


@dataclass
class Thread:
    conversation: Conversation
    entries: list[DayHeading | MessageView | Activity]
    count: int
    can_send: bool
    hidden: int = 0  # older messages not shown (the window); 0 when the whole history is
    complete: bool = False  # the whole history was asked for


@dataclass
class QuickTemplate:
    id: int
    name: str
    category: str
    text: str

    @property
    def search(self) -> str:
        """What "/" filters on: name, category and text, also without accents ("/horario")."""
        words = f"{self.name} {self.category} {self.text}".lower()
        plain = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
        return words if plain == words else f"{words} {plain}"


@dataclass
class Header:
    conversation: Conversation
    is_supervisor: bool
    is_mine: bool
    labels_available: list[Label]
    priorities: list[tuple[str, str]]


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{number_br(size / 1024, 0)} KB"
    return f"{number_br(size / (1024 * 1024), 1)} MB"


def _snippet(message: Message | None) -> str | None:
    if message is None:
        return None
    text = (message.content or message.media_caption or "").strip()
    if not text:
        text = KIND_LABELS.get(MessageKind(message.kind), "Mensagem") if message.kind in KIND_LABELS else ""
    return text[:140] + ("…" if len(text) > 140 else "") if text else None


def message_view(
    message: Message,
    *,
    contact_name: str,
    agent_names: Mapping[int, str],
    template_names: Mapping[int, str],
    by_zapi_id: Mapping[str, Message],
) -> MessageView:
    marks: list[str] = []
    automatic = False
    tick = None
    if message.private or message.kind == MessageKind.note:
        side = "note"
        sender = agent_names.get(message.agent_id or 0, "Atendente")
    elif message.direction == Direction.inbound:
        side = "in"
        sender = contact_name
    else:
        side = "out"
        tick = TICKS.get(message.delivery_status)
        if message.sender_type == SenderType.automation or message.automation:
            automatic = True
            sender = "Automação"
            marks.append("Mensagem automática")
        elif message.sender_type == SenderType.agent:
            sender = agent_names.get(message.agent_id or 0, "Atendente")
        elif (message.extra or {}).get("sent_from_phone"):
            sender = "Celular da empresa"
            marks.append("Enviada pelo celular da empresa")
        else:
            sender = "Sistema"
            marks.append("Mensagem do sistema")
        if message.template_id is not None:
            marks.append(f"Modelo: {template_names.get(message.template_id, 'removido')}")
        elif message.automation and message.automation in AUTOMATION_LABELS:
            marks.append(AUTOMATION_LABELS[message.automation])
    quoted = None
    if message.reply_to_zapi_id:
        quoted = _snippet(by_zapi_id.get(message.reply_to_zapi_id)) or "Mensagem anterior"
    at = local(message.created_at)
    assert at is not None
    return MessageView(
        message,
        side,
        sender,
        marks,
        tick,
        quoted,
        automatic,
        hhmm=at.strftime("%H:%M"),
        iso=message.created_at.isoformat(),
        full=at.strftime("%d/%m/%Y %H:%M"),
    )


def thread_entries(
    messages: Sequence[Message],
    *,
    contact_name: str,
    agent_names: Mapping[int, str],
    template_names: Mapping[int, str],
    activities: Sequence[Activity] = (),
    quotable: Sequence[Message] | None = None,
) -> list[DayHeading | MessageView | Activity]:
    """The messages and activity lines in order, a heading before each new day (São Paulo), the
    sender shown once per run of messages from the same side and sender. `quotable`: where the
    messages replied or reacted to are found (the whole history when only its end is shown)."""
    by_zapi_id = {m.zapi_message_id: m for m in (quotable or messages) if m.zapi_message_id}
    items: list[Message | Activity] = [*messages, *activities]
    items.sort(key=lambda item: item.created_at if isinstance(item, Message) else item.moment)
    entries: list[DayHeading | MessageView | Activity] = []
    day: date | None = None
    previous: MessageView | None = None
    for item in items:
        moment = local(item.created_at if isinstance(item, Message) else item.moment)
        assert moment is not None
        if moment.date() != day:
            day = moment.date()
            entries.append(DayHeading(moment))
            previous = None
        if isinstance(item, Activity):
            entries.append(item)
            previous = None
            continue
        view = message_view(
            item,
            contact_name=contact_name,
            agent_names=agent_names,
            template_names=template_names,
            by_zapi_id=by_zapi_id,
        )
        view.show_sender = not (
            previous is not None and previous.side == view.side and previous.sender == view.sender
        )
        entries.append(view)
        previous = view
    return entries


def contact_name(conversation: Conversation) -> str:
    return conversation.contact.name or "Cliente"


# The newest messages a thread shows at first; "Mostrar mensagens anteriores" shows the whole history.
# Every live update re-renders the thread: a long conversation must not send its thousand messages
# each time one arrives (Chatwoot pages older messages in the same way).
THREAD_WINDOW = 200


async def load_thread(session: AsyncSession, conversation: Conversation, *, complete: bool = False) -> Thread:
    messages = await inbox_service.messages(session, conversation)
    agents = await all_agents(session)
    templates = await all_templates(session)
    history = await history_service.of_actions(session, conversation.id, ACTIVITY_ACTIONS)
    shown = messages if complete or len(messages) <= THREAD_WINDOW else messages[-THREAD_WINDOW:]
    since = shown[0].created_at if shown and len(shown) < len(messages) else None
    activities = [activity(entry) for entry in history if since is None or entry.created_at >= since]
    entries = thread_entries(
        shown,
        contact_name=contact_name(conversation),
        agent_names={a.id: a.name for a in agents},
        template_names={t.id: t.name for t in templates},
        activities=activities,
        quotable=messages,
    )
    can_send = conversation.status != ConversationStatus.closed
    return Thread(conversation, entries, len(messages), can_send, len(messages) - len(shown), complete)


async def load_header(session: AsyncSession, agent: Agent, conversation: Conversation) -> Header:
    applied = {label.id for label in conversation.labels}
    labels = [label for label in await all_labels(session) if label.id not in applied]
    return Header(
        conversation=conversation,
        is_supervisor=sees_everything(agent),
        is_mine=conversation.assignee_id == agent.id,
        labels_available=labels,
        priorities=[(p.value, p.label) for p in Priority],
    )


async def quick_templates(
    session: AsyncSession, agent: Agent, conversation: Conversation
) -> list[QuickTemplate]:
    """The active templates with their variables filled for this conversation, by the same
    rendering `outbound_service.send_template` uses."""
    templates: Iterable[MessageTemplate] = [t for t in await all_templates(session) if t.active]
    values = await template_service.variables_for(
        session,
        contact_name=conversation.contact.name,
        agent_name=agent.name,
        conversation_id=conversation.id,
    )
    return [
        QuickTemplate(
            t.id, t.name, CATEGORIES.get(t.category, t.category), template_service.render(t, values)
        )
        for t in templates
    ]


async def active_agents(session: AsyncSession) -> list[Agent]:
    """Whom a conversation can be transferred or assigned to."""
    return [a for a in await all_agents(session) if a.active]


@dataclass
class PreviousConversation:
    conversation: Conversation
    can_open: bool


async def previous_conversations(
    session: AsyncSession, agent: Agent, conversation: Conversation
) -> list[PreviousConversation]:
    return [
        PreviousConversation(c, can_see(agent, c))
        for c in await inbox_service.previous_conversations(session, conversation)
    ]
