"""The inbox: the conversations the agent may see, filtered and ordered by urgency, live.

The list's state (tab, filters, search) lives in the URL, in Portuguese: `/conversas?aba=minhas&
status=ativas&busca=rosa`, so a reload or a shared link shows the same view. The region below the
search box refreshes itself (`GET /conversas/lista?…`) on every live change, keeping that state,
how many rows are shown (`n`) and the open conversation (`aberta`, marked read on each refresh).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.inbox.listing import InboxList, InboxTab, ListingFilters, ListingRow
from carinho.atendimento.inbox.models import ACTIVE_STATUSES, ConversationStatus, Message, Priority
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.sla.models import SlaStatus
from carinho.atendimento.web.pages import pages
from carinho.atendimento.web.read_once import all_labels
from carinho.kit.clock import utcnow

router = APIRouter(include_in_schema=False)

LIST_URL = "/conversas"
FRAGMENT_URL = "/conversas/lista"
PAGE_SIZE = 50
MAX_ROWS = 500
SEARCH_MAX = 160


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


# (URL value, what a person reads, what it selects)
TABS: list[tuple[str, str, InboxTab]] = [
    ("minhas", "Minhas", InboxTab.mine),
    ("nao-atribuidas", "Não atribuídas", InboxTab.unassigned),
    ("todas", "Todas", InboxTab.all),
]
ACTIVE = sorted(s.value for s in ACTIVE_STATUSES)
STATUSES: list[tuple[str, str, list[str]]] = [
    ("ativas", "Em andamento", ACTIVE),
    ("abertas", "Abertas", [ConversationStatus.open.value]),
    ("pendentes", "Pendentes", [ConversationStatus.pending.value]),
    ("aguardando-cliente", "Aguardando cliente", [ConversationStatus.waiting_customer.value]),
    ("resolvidas", "Resolvidas", [ConversationStatus.resolved.value]),
    ("fechadas", "Fechadas", [ConversationStatus.closed.value]),
    ("todas", "Todas as situações", []),
]
PRIORITIES: list[tuple[str, str, str]] = [
    (slug(p.label), p.label, p.value) for p in (Priority.urgent, Priority.high, Priority.normal, Priority.low)
]
STAGES: list[tuple[str, str, str]] = [(slug(stage.label), stage.label, stage.value) for stage in FunnelStage]
SLA_STATES: list[tuple[str, str, str]] = [
    (slug(s.label), s.label.capitalize(), s.value)
    for s in (SlaStatus.ok, SlaStatus.at_risk, SlaStatus.breached)
]
# Everything the person may act on: their own conversations and the queue they may take.
DEFAULT_TAB = "todas"
DEFAULT_STATUS = "ativas"

EMPTY_TEXT = {
    "minhas": (
        "Nenhuma conversa atribuída a você",
        "Quando você assumir uma conversa, ou ela for atribuída a você, ela aparece aqui.",
    ),
    "nao-atribuidas": (
        "Nenhuma conversa na fila",
        "Todas as conversas já têm um responsável. Bom trabalho!",
    ),
    "todas": (
        "Nenhuma conversa aguardando você",
        "As novas conversas do WhatsApp aparecem aqui assim que chegam.",
    ),
}
MEDIA_PREVIEW = {
    "image": "Imagem",
    "audio": "Áudio",
    "video": "Vídeo",
    "document": "Documento",
    "location": "Localização",
    "contact": "Contato",
    "sticker": "Figurinha",
}
PRIORITY_TONE = {"urgent": "danger", "high": "warning", "low": "neutral"}
SLA_TONE = {"ok": "success", "at_risk": "warning", "breached": "danger"}
STATUS_TONE = {"pending": "info", "waiting_customer": "accent", "resolved": "success", "closed": "neutral"}
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _pick(value: str | None, options: list[tuple[str, str, Any]], default: str | None = None) -> str | None:
    """The URL value if it is one of the options; else the default (a bad link is not an error)."""
    return value if value is not None and any(value == key for key, _, _ in options) else default


def _value(key: str | None, options: list[tuple[str, str, Any]]) -> Any:
    return next((v for k, _, v in options if k == key), None)


@dataclass(frozen=True)
class ListState:
    """The list's view, read from and written to the URL."""

    aba: str = DEFAULT_TAB
    status: str = DEFAULT_STATUS
    prioridade: str | None = None
    etiqueta: int | None = None
    etapa: str | None = None
    sla: str | None = None
    busca: str = ""
    n: int = PAGE_SIZE

    @classmethod
    def from_query(cls, params: Any) -> ListState:
        label = params.get("etiqueta") or ""
        try:
            n = int(params.get("n") or PAGE_SIZE)
        except ValueError:
            n = PAGE_SIZE
        return cls(
            aba=_pick(params.get("aba"), TABS, DEFAULT_TAB) or DEFAULT_TAB,
            status=_pick(params.get("status"), STATUSES, DEFAULT_STATUS) or DEFAULT_STATUS,
            prioridade=_pick(params.get("prioridade"), PRIORITIES),
            etiqueta=int(label) if label.isdigit() and len(label) < 12 else None,
            etapa=_pick(params.get("etapa"), STAGES),
            sla=_pick(params.get("sla"), SLA_STATES),
            busca=(params.get("busca") or "").strip()[:SEARCH_MAX],
            n=min(max(PAGE_SIZE, -(-n // PAGE_SIZE) * PAGE_SIZE), MAX_ROWS),
        )

    @property
    def tab(self) -> InboxTab:
        tab: InboxTab = _value(self.aba, TABS)
        return tab

    @property
    def filters(self) -> ListingFilters:
        return ListingFilters(
            statuses=list(_value(self.status, STATUSES) or []),
            priority=_value(self.prioridade, PRIORITIES),
            label_id=self.etiqueta,
            funnel_stage=_value(self.etapa, STAGES),
            sla_status=_value(self.sla, SLA_STATES),
            search=self.busca or None,
        )

    @property
    def filtered(self) -> bool:
        """Anything narrowing the list beyond the tab and the default status."""
        return (
            bool(self.busca or self.prioridade or self.etiqueta or self.etapa or self.sla)
            or self.status != DEFAULT_STATUS
        )

    @property
    def extra_filters(self) -> int:
        """How many of the filters behind the "Filtros" button are set."""
        return sum(1 for v in (self.prioridade, self.etiqueta, self.etapa, self.sla) if v)

    def query(self, **changes: Any) -> str:
        """The query string of this view (defaults left out), with `changes` applied."""
        state = replace(self, **changes)
        pairs = [
            ("aba", state.aba),
            ("status", None if state.status == DEFAULT_STATUS else state.status),
            ("prioridade", state.prioridade),
            ("etiqueta", state.etiqueta),
            ("etapa", state.etapa),
            ("sla", state.sla),
            ("busca", state.busca or None),
        ]
        return urlencode([(k, v) for k, v in pairs if v is not None])


@dataclass
class Row:
    """One line of the list, ready for the template."""

    id: int
    href: str
    name: str
    phone: str | None
    initials: str
    avatar_tone: int
    preview: str
    preview_media: bool
    preview_outgoing: bool
    unread: int
    waiting_since: Any
    waiting_seconds: float | None
    last_activity_at: Any
    status: tuple[str, str] | None
    priority: tuple[str, str] | None
    sla: tuple[str, str] | None
    sla_due_at: Any
    level: str
    labels: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class InboxView:
    state: ListState
    rows: list[Row]
    counts: dict[str, int]
    has_more: bool
    unread_total: int
    current_id: int | None
    base_path: str
    # What the next live refresh asks for: the view, how many rows, the open conversation.
    refresh_params: list[tuple[str, str]]
    more_url: str
    empty_title: str
    empty_text: str
    # Only the full pane (not the refreshed region) needs these.
    label_options: list[tuple[int, str]] = field(default_factory=list)

    @property
    def tabs(self) -> list[tuple[str, str, int | None, str]]:
        """(value, text, count or None while searching, href) of each tab; the open conversation
        stays open."""
        return [
            (key, text, self.counts.get(key), f"{self.base_path}?{self.state.query(aba=key)}")
            for key, text, _ in TABS
        ]

    statuses = STATUSES
    priorities = PRIORITIES
    stages = STAGES
    sla_states = SLA_STATES


def _initials(name: str | None) -> str:
    words = [w for w in re.split(r"\s+", name or "") if w and w[0].isalpha()]
    if not words:
        return "#"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def preview_of(message: Message | None) -> tuple[str, bool]:
    """(text, is media) of a last message: its text, or what it carries ("Imagem", "Áudio"…)."""
    if message is None:
        return "Sem mensagens", False
    media = MEDIA_PREVIEW.get(message.kind)
    if media is not None:
        detail = message.media_caption or message.content or message.media_file_name
        if message.kind == "document" and message.media_file_name:
            detail = message.media_file_name
        if message.kind in ("location", "contact", "sticker"):
            detail = None
        return (f"{media}: {detail}" if detail else media), True
    text = (message.content or "").strip()
    if message.kind == "reaction":
        return f"Reagiu com {text}" if text else "Reação", False
    if not text:
        return "Mensagem sem texto", False
    return " ".join(text.split())[:240], False


def _row(item: ListingRow, state: ListState) -> Row:
    c = item.conversation
    contact = c.contact
    preview, media = preview_of(item.last_message)
    status = ConversationStatus(c.status)
    priority = Priority(c.priority) if c.priority in Priority.__members__ else Priority.normal
    sla = SlaStatus(item.sla_status) if item.sla_status in SLA_TONE else None
    waiting = c.waiting_since if status.is_active else None
    now = utcnow()
    return Row(
        id=c.id,
        href=f"{LIST_URL}/{c.id}?{state.query()}",
        name=contact.name or "",
        phone=contact.phone,
        initials=_initials(contact.name),
        avatar_tone=c.contact_id % 6,
        preview=preview,
        preview_media=media,
        preview_outgoing=item.last_message is not None and item.last_message.direction == "outbound",
        unread=item.unread,
        waiting_since=waiting,
        waiting_seconds=(now - waiting).total_seconds() if waiting else None,
        last_activity_at=(item.last_message.created_at if item.last_message else c.last_activity_at),
        status=None if status is ConversationStatus.open else (status.label, STATUS_TONE[status.value]),
        priority=None if priority is Priority.normal else (priority.label, PRIORITY_TONE[priority.value]),
        sla=(sla.label, SLA_TONE[sla.value]) if sla is not None else None,
        sla_due_at=item.sla_due_at,
        level=c.level,
        labels=[
            (label.name, label.color if HEX_COLOUR.match(label.color or "") else None)
            for label in item.labels
        ],
    )


def _base_path(current_id: int | None) -> str:
    return f"{LIST_URL}/{current_id}" if current_id else LIST_URL


async def _view(session: AsyncSession, agent: Agent, state: ListState, current_id: int | None) -> InboxView:
    if current_id is not None:
        await inbox_service.mark_read(session, agent, current_id)
    found: InboxList = await inbox_service.inbox_list(session, agent, state.tab, state.filters, limit=state.n)
    opened = f"&aberta={current_id}" if current_id else ""
    title, text = EMPTY_TEXT[state.aba]
    if state.filtered:
        title = "Nenhuma conversa encontrada"
        text = (
            f"Nada encontrado para “{state.busca}” com estes filtros. Tente outro termo ou limpe os filtros."
            if state.busca
            else "Nenhuma conversa com estes filtros. Limpe os filtros para ver todas."
        )
    return InboxView(
        state=state,
        rows=[_row(item, state) for item in found.rows],
        counts=(
            {
                "minhas": found.counts.mine,
                "nao-atribuidas": found.counts.unassigned,
                "todas": found.counts.all,
            }
            if found.counts is not None
            else {}
        ),
        has_more=found.has_more and state.n < MAX_ROWS,
        unread_total=found.unread_total,
        current_id=current_id,
        base_path=_base_path(current_id),
        refresh_params=[
            *parse_qsl(state.query()),
            ("n", str(state.n)),
            *([("aberta", str(current_id))] if current_id else []),
        ],
        more_url=f"{FRAGMENT_URL}?{state.query()}&n={min(state.n + PAGE_SIZE, MAX_ROWS)}{opened}",
        empty_title=title,
        empty_text=text,
    )


async def list_pane_context(
    request: Request, session: AsyncSession, agent: Agent, current_id: int | None = None
) -> dict[str, Any]:
    """What `inbox/list_pane.html` needs; the conversation page calls it with the open conversation
    (marked read for the agent: it is on their screen). The list's view comes from the URL."""
    view = await _view(session, agent, ListState.from_query(request.query_params), current_id)
    view.label_options = [(label.id, label.name) for label in await all_labels(session)]
    return {"inbox": view, "current_id": current_id}


@router.get(LIST_URL)
async def inbox_page(request: Request, session: SessionDep, agent: SessionAgent) -> Response:
    context = await list_pane_context(request, session, agent)
    return pages.render(
        request,
        "atendimento/workspace.html",
        active="conversas",
        title="Conversas",
        conversation=None,
        **context,
    )


@router.get(FRAGMENT_URL)
async def inbox_fragment(request: Request, session: SessionDep, agent: SessionAgent) -> Response:
    """The list region alone (htmx): live refreshes, "Carregar mais", the search and the filters.
    A change the person made (the filter form) also moves the address bar to the new view."""
    params = request.query_params
    opened = params.get("aberta") or ""
    current_id = int(opened) if opened.isdigit() and len(opened) < 12 else None
    state = ListState.from_query(params)
    view = await _view(session, agent, state, current_id)
    headers = {}
    if request.headers.get("hx-trigger") == "filtros":
        headers["HX-Replace-Url"] = f"{_path_of(request, current_id)}?{state.query()}"
    return pages.render(
        request,
        "atendimento/inbox/list_region.html",
        headers=headers,
        inbox=view,
        current_id=current_id,
        oob=True,
    )


def _path_of(request: Request, current_id: int | None) -> str:
    """The page the person is on (htmx says which); only our own paths."""
    path = urlsplit(request.headers.get("hx-current-url", "")).path
    return path if path == LIST_URL or path.startswith(f"{LIST_URL}/") else _base_path(current_id)
