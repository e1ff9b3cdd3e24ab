"""DLQ: the steps and deliveries that ran out of retries — filter (target system, event type, status,
period), see one with its attempts, and (operator) retry, archive, delete, or replay every open item of
the filter after a preview of how many will go. Every action goes through the API's DLQ service.
The list is live like the event list: its first page is drawn again when the hub's state moves (new
items on top, statuses in place, the open count in the heading)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from carinho.errors import Conflict, NotFound
from carinho.integracoes.console.auth import ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.live import RECENT_MAX, recent_after, recent_start
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import (
    DEAD_LETTER_STATUS,
    LABELS,
    TARGET_SYSTEMS,
    audit,
    choice,
    done,
    masked_json,
    masked_text,
    period,
)
from carinho.integracoes.dlq.models import DeadLetter, DeadLetterStatus
from carinho.integracoes.dlq.repository import DeadLetterFilters
from carinho.integracoes.dlq.schemas import BulkRetry
from carinho.integracoes.dlq.service import dead_letter_service
from carinho.integracoes.flows import registry
from carinho.integracoes.operators.models import OperatorRole
from carinho.kit.db import BIGINT_MAX
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

LIST_URL = "/dlq"
PAGE_SIZE = 50
BULK_LIMIT = 1000  # the API's maximum per bulk replay
ALL = "todas"
ItemId = Id


@dataclass(frozen=True)
class DlqSearch:
    """The list's filters, as the form sends them. `situacao` defaults to the open items."""

    destino: str = ""
    tipo: str = ""
    situacao: str = DeadLetterStatus.open.value
    de: str = ""
    ate: str = ""

    def query(self, **extra: Any) -> str:
        return urlencode({k: v for k, v in (vars(self) | extra).items() if v})

    @property
    def status(self) -> str | None:
        return None if self.situacao == ALL else choice(self.situacao, DEAD_LETTER_STATUS, "Situação")

    def filters(self) -> DeadLetterFilters:
        created_from, created_to = period(self.de, self.ate)
        return DeadLetterFilters(
            status=self.status,
            target_system=self.destino.strip() or None,
            event_type=self.tipo.strip() or None,
            created_from=created_from,
            created_to=created_to,
        )

    def bulk(self) -> BulkRetry:
        """The bulk replay of this filter: its open items (whatever status the list shows)."""
        filters = self.filters()
        return BulkRetry(
            target_system=filters.target_system,
            event_type=filters.event_type,
            created_from=filters.created_from,
            created_to=filters.created_to,
            limit=BULK_LIMIT,
        )

    @property
    def narrowed(self) -> bool:
        return (
            any((self.destino, self.tipo, self.de, self.ate)) or self.situacao != DeadLetterStatus.open.value
        )


def _search(
    destino: Annotated[str, Query(max_length=40)] = "",
    tipo: Annotated[str, Query(max_length=80)] = "",
    situacao: Annotated[str, Query(max_length=16)] = DeadLetterStatus.open.value,
    de: Annotated[str, Query(max_length=10)] = "",
    ate: Annotated[str, Query(max_length=10)] = "",
) -> DlqSearch:
    search = DlqSearch(destino, tipo, situacao or ALL, de, ate)
    search.filters()  # a bad value is refused here, with its message
    return search


Search = Annotated[DlqSearch, Depends(_search)]


def _bulk_form(
    destino: Annotated[str, Form(max_length=40)] = "",
    tipo: Annotated[str, Form(max_length=80)] = "",
    de: Annotated[str, Form(max_length=10)] = "",
    ate: Annotated[str, Form(max_length=10)] = "",
) -> DlqSearch:
    return _search(destino, tipo, DeadLetterStatus.open.value, de, ate)


def _more_url(search: DlqSearch, cursor: str | None) -> str | None:
    return f"{LIST_URL}/mais?{search.query(cursor=cursor)}" if cursor else None


def _recent_url(search: DlqSearch, since: int) -> str:
    return f"{LIST_URL}/recentes?{search.query(desde=str(since))}"


@router.get(LIST_URL)
async def dlq_list(
    request: Request, session: HubSession, operator: ConsoleViewer, search: Search
) -> Response:
    """The first page. Its rows are the "recent block": every matching item from the page's last one
    on, drawn again when the hub's state moves; "Carregar mais" appends the older ones below it."""
    page = await dead_letter_service.page(session, search.filters(), None, PAGE_SIZE)
    since = recent_start(page.items, page.next_cursor is not None)
    return pages.render(
        request,
        "console/dlq/list.html",
        active="dlq",
        title="DLQ",
        search=search,
        items=page.items,
        recent_url=_recent_url(search, since),
        more_url=_more_url(search, page.next_cursor),
        statuses=DEAD_LETTER_STATUS,
        targets=TARGET_SYSTEMS,
        types=sorted(registry.flows()),
        labels=LABELS,
        may_act=operator.has_role(OperatorRole.operator),
        stats=await dead_letter_service.open_summary(session),
    )


@router.get(f"{LIST_URL}/mais")
async def dlq_list_more(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    search: Search,
    cursor: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    page = await dead_letter_service.page(session, search.filters(), cursor or None, PAGE_SIZE)
    return pages.render(
        request,
        "console/dlq/more.html",
        items=page.items,
        more_url=_more_url(search, page.next_cursor),
        labels=LABELS,
    )


@router.get(f"{LIST_URL}/recentes")
async def dlq_list_recent(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    search: Search,
    desde: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
) -> Response:
    """The recent block again: items from `desde` on, newest first (at most RECENT_MAX)."""
    page = await dead_letter_service.page(
        session, search.filters(), None, RECENT_MAX, after_id=recent_after(desde)
    )
    return pages.render(
        request,
        "console/dlq/recent.html",
        search=search,
        items=page.items,
        recent_url=_recent_url(search, desde),
        overflow=page.next_cursor is not None,
        labels=LABELS,
    )


@router.get(f"{LIST_URL}/resumo")
async def dlq_summary(request: Request, session: HubSession, operator: ConsoleViewer) -> Response:
    """The heading's open count and oldest open item, drawn again when the hub's state moves."""
    return pages.render(
        request, "console/dlq/summary.html", stats=await dead_letter_service.open_summary(session)
    )


@router.get(f"{LIST_URL}/previa")
async def bulk_preview(
    request: Request, session: HubSession, operator: ConsoleOperator, search: Search
) -> Response:
    """How many open items the filter's bulk replay would send now (the dialog's question)."""
    count = await dead_letter_service.count_matching(session, search.bulk())
    return pages.render(
        request, "console/dlq/bulk_preview.html", search=search, count=count, limit=BULK_LIMIT
    )


@router.post(f"{LIST_URL}/reenviar")
async def bulk_retry(
    request: Request,
    session: HubSession,
    operator: ConsoleOperator,
    search: Annotated[DlqSearch, Depends(_bulk_form)],
) -> Response:
    result = await dead_letter_service.retry_matching(session, search.bulk())
    audit(
        session,
        operator,
        "dlq_bulk_retried",
        "dlq",
        {"filter": search.query(situacao=""), "matched": result.matched, "retried": len(result.retried)},
    )
    retried = len(result.retried)
    message = f"{retried} {'item reenviado' if retried == 1 else 'itens reenviados'}."
    if result.skipped:
        message += f" {len(result.skipped)} não puderam ir (endpoint desativado ou item já em reenvio)."
    return done(request, f"{LIST_URL}?{search.query(situacao=DeadLetterStatus.open.value)}", message)


@router.get(LIST_URL + "/{item_id}")
async def dlq_detail(
    request: Request, session: HubSession, operator: ConsoleViewer, item_id: ItemId
) -> Response:
    item = await _item(session, item_id)
    context = dict(item.context or {})
    attempts = context.pop("attempts", []) if isinstance(context.get("attempts"), list) else []
    return pages.render(
        request,
        "console/dlq/detail.html",
        active="dlq",
        title=f"Item {item.id} da DLQ",
        item=item,
        attempts=attempts,
        context_json=masked_json(context) if context else None,
        last_error=masked_text(item.last_error),
        labels=LABELS,
        may_act=operator.has_role(OperatorRole.operator),
    )


async def _item(session: HubSession, item_id: int) -> DeadLetter:
    try:
        return await dead_letter_service.get(session, item_id)
    except NotFound:
        raise NotFound(f"O item {item_id} não está na DLQ (talvez tenha sido excluído).") from None


def _refuse(item: DeadLetter, action: str) -> Conflict:
    label = DEAD_LETTER_STATUS.get(item.status, (item.status,))[0]
    return Conflict(f"O item {item.id} está {label}: não dá para {action}.")


@router.post(LIST_URL + "/{item_id}/reenviar")
async def retry_item(
    request: Request, session: HubSession, operator: ConsoleOperator, item_id: ItemId
) -> Response:
    item = await _item(session, item_id)
    if item.status != DeadLetterStatus.open:
        raise _refuse(item, "reenviar (só itens abertos são reenviados)")
    try:
        await dead_letter_service.retry(session, item_id)
    except Conflict as exc:
        if isinstance(exc.details, dict) and "endpoint_id" in exc.details:
            raise Conflict(
                f"O endpoint desta entrega (#{exc.details['endpoint_id']}) está desativado ou foi removido: "
                "reative-o antes de reenviar."
            ) from None
        raise
    audit(session, operator, "dlq_retried", f"dlq:{item_id}", {"event_id": item.event_id})
    return done(request, f"{LIST_URL}/{item_id}", f"Item {item_id} reenviado.")


@router.post(LIST_URL + "/{item_id}/arquivar")
async def archive_item(
    request: Request, session: HubSession, operator: ConsoleOperator, item_id: ItemId
) -> Response:
    item = await _item(session, item_id)
    if item.status == DeadLetterStatus.retrying:
        raise _refuse(item, "arquivar enquanto o reenvio não termina")
    await dead_letter_service.archive(session, item_id)
    audit(session, operator, "dlq_archived", f"dlq:{item_id}", {"event_id": item.event_id})
    return done(request, f"{LIST_URL}/{item_id}", f"Item {item_id} arquivado.")


@router.post(LIST_URL + "/{item_id}/excluir")
async def delete_item(
    request: Request, session: HubSession, operator: ConsoleOperator, item_id: ItemId
) -> Response:
    item = await _item(session, item_id)
    event_id = item.event_id
    await dead_letter_service.delete(session, item_id)
    audit(session, operator, "dlq_deleted", f"dlq:{item_id}", {"event_id": event_id})
    return done(request, LIST_URL, f"Item {item_id} excluído da DLQ.")
