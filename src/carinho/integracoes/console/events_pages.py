"""Eventos: search the hub's events (type, source, status, period, idempotency key, a person's phone
or e-mail), newest first, new ones appearing while the list is open; an event's detail — its steps as
a timeline, its deliveries and their attempts, the payload masked (an admin may reveal it, audited) and
what each mapping makes of it; retry and replay from a step (operator), through the API's services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from carinho.errors import Conflict, NotFound
from carinho.integracoes.console.auth import ConsoleAdmin, ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.live import RECENT_MAX, recent_after, recent_start
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import (
    EVENT_STATUS,
    LABELS,
    audit,
    choice,
    done,
    masked_json,
    masked_text,
    period,
    plain_json,
)
from carinho.integracoes.events.repository import EventFilters
from carinho.integracoes.events.schemas import EventDetail
from carinho.integracoes.events.service import event_service
from carinho.integracoes.flows import registry
from carinho.integracoes.flows.service import REPLAYABLE_STATUSES, RETRYABLE_STATUSES, flow_service
from carinho.integracoes.mappings.service import event_meta, outputs_for_event
from carinho.integracoes.operators.models import OperatorRole
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS, ZAPI_SOURCE
from carinho.kit.db import BIGINT_MAX
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

LIST_URL = "/eventos"
PAGE_SIZE = 50
EventId = Id
Text = Annotated[str, Query(max_length=254)]


@dataclass(frozen=True)
class EventSearch:
    """The list's filters as the form sends them (names in pt-BR, as in the address bar)."""

    tipo: str = ""
    origem: str = ""
    situacao: str = ""
    de: str = ""
    ate: str = ""
    chave: str = ""
    contato: str = ""

    def query(self, **extra: Any) -> str:
        values = {k: v for k, v in vars(self).items() if v} | {k: v for k, v in extra.items() if v}
        return urlencode(values)

    def filters(self) -> EventFilters:
        created_from, created_to = period(self.de, self.ate)
        filters = EventFilters(
            source=self.origem.strip() or None,
            event_type=self.tipo.strip() or None,
            status=choice(self.situacao, EVENT_STATUS, "Situação"),
            created_from=created_from,
            created_to=created_to,
            idempotency_key=self.chave.strip() or None,
        )
        return event_service.with_contact(filters, self.contato)

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def _search(
    tipo: Annotated[str, Query(max_length=80)] = "",
    origem: Annotated[str, Query(max_length=40)] = "",
    situacao: Annotated[str, Query(max_length=16)] = "",
    de: Annotated[str, Query(max_length=10)] = "",
    ate: Annotated[str, Query(max_length=10)] = "",
    chave: Annotated[str, Query(max_length=190)] = "",
    contato: Text = "",
) -> EventSearch:
    return EventSearch(tipo, origem, situacao, de, ate, chave, contato)


Search = Annotated[EventSearch, Depends(_search)]


def _choices() -> dict[str, Any]:
    return {
        "types": sorted(registry.flows()),
        "sources": sorted({hook.source for hook in SYSTEM_WEBHOOKS} | {ZAPI_SOURCE, "whatsapp"}),
    }


def _recent_url(search: EventSearch, since: int) -> str:
    return f"{LIST_URL}/recentes?{search.query(desde=str(since))}"


@router.get(LIST_URL)
async def event_list(
    request: Request, session: HubSession, operator: ConsoleViewer, search: Search
) -> Response:
    """The first page. Its rows are the "recent block": every matching event from the page's last one
    on, drawn again every few seconds (new events appear on top, statuses change in place);
    "Carregar mais" appends the older ones below it."""
    page = await event_service.page(session, search.filters(), None, PAGE_SIZE)
    since = recent_start(page.items, page.next_cursor is not None)
    return pages.render(
        request,
        "console/events/list.html",
        active="eventos",
        title="Eventos",
        search=search,
        filtered=search.any,
        events=page.items,
        recent_url=_recent_url(search, since),
        more_url=f"{LIST_URL}/mais?{search.query(cursor=page.next_cursor)}" if page.next_cursor else None,
        statuses=EVENT_STATUS,
        labels=LABELS,
        **_choices(),
    )


@router.get(f"{LIST_URL}/recentes")
async def event_list_recent(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    search: Search,
    desde: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
) -> Response:
    """The recent block again: events from `desde` on, newest first (at most RECENT_MAX)."""
    page = await event_service.page(session, search.filters(), None, RECENT_MAX, after_id=recent_after(desde))
    return pages.render(
        request,
        "console/events/recent.html",
        events=page.items,
        recent_url=_recent_url(search, desde),
        overflow=page.next_cursor is not None,
        filtered=search.any,
        labels=LABELS,
    )


@router.get(f"{LIST_URL}/mais")
async def event_list_more(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    search: Search,
    cursor: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The next page's rows, and the next "Carregar mais" (htmx appends them)."""
    page = await event_service.page(session, search.filters(), cursor or None, PAGE_SIZE)
    return pages.render(
        request,
        "console/events/more.html",
        events=page.items,
        more_url=f"{LIST_URL}/mais?{search.query(cursor=page.next_cursor)}" if page.next_cursor else None,
        labels=LABELS,
    )


async def _event(session: HubSession, event_id: int) -> EventDetail:
    try:
        return await event_service.detail(session, event_id)
    except NotFound:
        raise NotFound(f"O evento {event_id} não existe.") from None


async def _detail_context(session: HubSession, event: EventDetail) -> dict[str, Any]:
    endpoint_ids = {d["endpoint_id"] for d in event.deliveries}
    repo = WebhookEndpointRepository(session)
    endpoints = {i: await repo.get_any(i) for i in sorted(endpoint_ids)}
    meta = event_meta(event.id, event.type, event.source, event.created_at.isoformat())
    mappings = await outputs_for_event(session, event.type, event.payload, event=meta)
    steps = event.steps
    return {
        "event": event,
        "steps": steps,
        "step_outputs": {
            s["name"]: masked_json(s["output"]) if s["output"] is not None else None for s in steps
        },
        "step_errors": {s["name"]: masked_text(s["last_error"]) for s in steps},
        "deliveries": event.deliveries,
        "endpoints": endpoints,
        "payload": masked_json(event.payload),
        "mappings": [(m, masked_json(m.output) if m.error is None else None) for m in mappings],
        "last_error": masked_text(event.last_error),
        "can_retry": event.status in RETRYABLE_STATUSES,
        "can_replay": event.status in REPLAYABLE_STATUSES and bool(steps),
        "labels": LABELS,
        "statuses": EVENT_STATUS,
    }


@router.get(LIST_URL + "/{event_id}")
async def event_detail(
    request: Request, session: HubSession, operator: ConsoleViewer, event_id: EventId
) -> Response:
    event = await _event(session, event_id)
    context = await _detail_context(session, event)
    return pages.render(
        request,
        "console/events/detail.html",
        active="eventos",
        title=f"Evento {event.id}",
        may_act=operator.has_role(OperatorRole.operator),
        may_reveal=operator.has_role(OperatorRole.admin),
        **context,
    )


@router.post(LIST_URL + "/{event_id}/revelar")
async def reveal_payload(
    request: Request, session: HubSession, admin: ConsoleAdmin, event_id: EventId
) -> Response:
    """The payload in clear, for an administrator; recorded in the console's audit trail."""
    event = await _event(session, event_id)
    audit(session, admin, "payload_revealed", f"event:{event.id}")
    return pages.render(
        request, "console/events/payload.html", event=event, payload=plain_json(event.payload), revealed=True
    )


@router.post(LIST_URL + "/{event_id}/reenviar")
async def retry_event(
    request: Request, session: HubSession, operator: ConsoleOperator, event_id: EventId
) -> Response:
    event = await _event(session, event_id)
    if event.status not in RETRYABLE_STATUSES:
        label = EVENT_STATUS.get(event.status, (event.status,))[0]
        raise Conflict(
            f"O evento {event_id} está {label}: só eventos com falha ou na DLQ podem ser reenviados."
        )
    await flow_service.retry_event(session, event_id)
    audit(session, operator, "event_retried", f"event:{event_id}")
    return done(
        request, f"{LIST_URL}/{event_id}", f"Evento {event_id} reenviado: as etapas pendentes rodam de novo."
    )


@router.post(LIST_URL + "/{event_id}/reprocessar")
async def replay_event(
    request: Request,
    session: HubSession,
    operator: ConsoleOperator,
    event_id: EventId,
    etapa: Annotated[str, Form(min_length=1, max_length=80)],
) -> Response:
    await flow_service.replay_from_step(session, event_id, etapa)
    audit(session, operator, "event_replayed", f"event:{event_id}", {"from_step": etapa})
    return done(
        request,
        f"{LIST_URL}/{event_id}",
        f"Evento {event_id} na fila para rodar de novo a partir de “{etapa}”.",
    )
