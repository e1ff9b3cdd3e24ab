"""Auditoria: the global audit trail (the history service's search, as GET /api/history), filtered
by agent, action, conversation and period, newest first, paged on the server, exported as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.models import ActorType, HistoryEntry
from carinho.atendimento.history.service import ACTION_LABELS, history_service
from carinho.atendimento.web.conversation_panel_history import actor_text, describe
from carinho.atendimento.web.pages import SUPERVISOR_NAV, pages
from carinho.kit.ui import NavItem
from carinho.kit.ui.csv_export import csv_response
from carinho.kit.ui.formatting import LOCAL_TZ, datetime_br
from carinho.kit.ui.table_order import TableOrder, page_number

router = APIRouter(include_in_schema=False)

AUDIT_URL = "/auditoria"
PAGE_SIZE = 50
CSV_MAX_ROWS = 10_000
CSV_HEADER = ["Data e hora", "Quem", "Ação", "Código da ação", "Conversa", "Detalhe"]
ORDER = TableOrder(
    columns=[
        ("quando", "Quando", True),
        ("quem", "Quem", False),
        ("acao", "Ação", True),
        ("conversa", "Conversa", True),
        ("detalhe", "Detalhe", False),
    ],
    default="-quando",
)
SORTS = {"quando": "created_at", "acao": "action", "conversa": "conversation_id"}
ACTIONS = sorted(((str(a), label) for a, label in ACTION_LABELS.items()), key=lambda p: p[1])
SUPERVISOR_NAV.append(NavItem("Auditoria", AUDIT_URL, "auditoria"))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilters:
    """The search, read from and written to the URL (Portuguese names); bad values are ignored."""

    atendente: int | None = None
    acao: str = ""
    conversa: int | None = None
    de: date | None = None
    ate: date | None = None
    sistema: bool = False
    ordem: str = ORDER.default

    @classmethod
    def from_query(cls, params: Any) -> AuditFilters:
        action = params.get("acao") or ""
        return cls(
            atendente=_int(params.get("atendente")),
            acao=action if action in ACTION_LABELS else "",
            conversa=_int(params.get("conversa")),
            de=_day(params.get("de")),
            ate=_day(params.get("ate")),
            sistema=params.get("sistema") == "1",
            ordem=ORDER.pick(params.get("ordem")),
        )

    def query(self, **extra: Any) -> str:
        values = {k: v for k, v in asdict(self).items() if v not in (None, "", False, ORDER.default)}
        values = {k: ("1" if v is True else v) for k, v in values.items()}
        return urlencode({**values, **extra})

    @property
    def any(self) -> bool:
        """Whether anything filters the trail (the order does not)."""
        return replace(self, ordem=ORDER.default) != AuditFilters()

    def base(self) -> str:
        """`/auditoria?<the filters>&`: the kit's sortable header adds `ordem=`."""
        query = replace(self, ordem=ORDER.default).query()
        return f"{AUDIT_URL}?{query}&" if query else f"{AUDIT_URL}?"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


async def search(
    session: AsyncSession, f: AuditFilters, *, limit: int, offset: int = 0
) -> Sequence[HistoryEntry]:
    sort, descending = ORDER.sort_of(f.ordem, SORTS)
    return await history_service.search(
        session,
        conversation_id=f.conversa,
        action=f.acao or None,
        system_only=f.sistema,
        actor_type=ActorType.agent.value if f.atendente is not None else None,
        actor_id=f.atendente,
        since=_local_midnight(f.de) if f.de else None,
        until=_local_midnight(f.ate + timedelta(days=1)) if f.ate else None,
        sort=sort,
        descending=descending,
        limit=limit,
        offset=offset,
    )


def _row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "title": ACTION_LABELS.get(entry.action, entry.action),
        "actor": actor_text(entry),
        "detail": describe(entry),
    }


@router.get(AUDIT_URL)
async def audit_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    filters = AuditFilters.from_query(request.query_params)
    page = page_number(request.query_params.get("pagina"))
    entries = await search(session, filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return pages.render(
        request,
        "atendimento/audit/page.html",
        active="auditoria",
        filters=filters,
        rows=[_row(e) for e in entries[:PAGE_SIZE]],
        page=page,
        has_next=len(entries) > PAGE_SIZE,
        columns=ORDER.columns,
        agents=[(a.id, a.name) for a in await agent_service.list(session)],
        actions=ACTIONS,
    )


@router.get(f"{AUDIT_URL}.csv")
async def audit_csv(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    filters = AuditFilters.from_query(request.query_params)
    entries = await search(session, filters, limit=CSV_MAX_ROWS)
    rows = (
        [
            datetime_br(e.created_at),
            actor_text(e),
            ACTION_LABELS.get(e.action, e.action),
            e.action,
            e.conversation_id or "",
            describe(e) or "",
        ]
        for e in entries
    )
    stamp = datetime.now(LOCAL_TZ).strftime("%Y-%m-%d")
    return csv_response(f"auditoria-{stamp}.csv", CSV_HEADER, rows)
