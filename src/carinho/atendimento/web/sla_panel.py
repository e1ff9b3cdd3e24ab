"""Painel de SLA (supervisors): what is at risk and breached now, live; the targets per priority
beside the % met today and this week; the breaches; and the reports over a period as charts.

The same services as GET /api/sla/panel and GET /api/sla/reports/series. The report's state lives
in the URL, in Portuguese: `/supervisao/sla?de=2026-11-01&ate=2026-11-30&por=semana&grupo=atendente`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.sla.panel import LEVELS, PRIORITIES, panel_now
from carinho.atendimento.sla.reports import MAX_PERIOD_DAYS
from carinho.atendimento.sla.series import Bucket, SeriesBy, sla_series
from carinho.atendimento.web.pages import pages
from carinho.kit.clock import utcnow
from carinho.kit.ui.charts import Series, bar_chart, line_chart
from carinho.kit.ui.formatting import LOCAL_TZ, duration_br, percent_br
from carinho.kit.ui.table_order import TableOrder

router = APIRouter(include_in_schema=False)

PAGE_URL = "/supervisao/sla"
NOW_URL = "/supervisao/sla/agora"
REPORT_URL = "/supervisao/sla/relatorio"
DEFAULT_DAYS = 30
# Lines per chart: the groups with the most decided targets (the data table under each chart too).
MAX_LINES = 6

BUCKETS = {"dia": Bucket.day, "semana": Bucket.week}
GROUPS = {"prioridade": SeriesBy.priority, "atendente": SeriesBy.agent, "nivel": SeriesBy.level}
BUCKET_LABELS = {"dia": "Por dia", "semana": "Por semana"}
GROUP_LABELS = {"prioridade": "Prioridade", "atendente": "Atendente", "nivel": "Nível"}
# The breach list: open breaches first, newest first (the service's order) unless a header says.
BREACH_ORDER = TableOrder(
    columns=[
        ("conversa", "Conversa", True),
        ("prazo", "Prazo", True),
        ("prioridade", "Prioridade", True),
        ("nivel", "Nível", True),
        ("responsavel", "Com quem estava", True),
        ("atraso", "Atraso", True),
        ("situacao", "Situação", True),
    ],
    default="situacao",
)
_BREACH_KEYS: dict[str, Any] = {
    "conversa": lambda b: b["conversation_id"],
    "prazo": lambda b: b["due_at"],
    "prioridade": lambda b: [p.value for p in PRIORITIES].index(b["priority"]),
    "nivel": lambda b: b["level"],
    "responsavel": lambda b: (b["assignee_name"] or "").lower(),
    "atraso": lambda b: b["late_minutes"],
    "situacao": lambda b: not b["open"],
}


@dataclass(frozen=True)
class ReportQuery:
    first: date
    last: date
    bucket: str
    group: str
    error: str | None = None

    @classmethod
    def from_query(cls, params: Any, today: date) -> ReportQuery:
        bucket = params.get("por") if params.get("por") in BUCKETS else "dia"
        group = params.get("grupo") if params.get("grupo") in GROUPS else "prioridade"
        default = cls(today - timedelta(days=DEFAULT_DAYS - 1), today, bucket, group)
        raw_first, raw_last = params.get("de") or "", params.get("ate") or ""
        if not raw_first and not raw_last:
            return default
        try:
            first = date.fromisoformat(raw_first) if raw_first else default.first
            last = date.fromisoformat(raw_last) if raw_last else default.last
        except ValueError:
            return cls(default.first, default.last, bucket, group, "Datas inválidas: use o seletor de data.")
        if last < first:
            return cls(
                default.first,
                default.last,
                bucket,
                group,
                "A data final deve ser igual ou depois da inicial.",
            )
        if (last - first).days >= MAX_PERIOD_DAYS:
            return cls(
                default.first,
                default.last,
                bucket,
                group,
                f"O período pode ter no máximo {MAX_PERIOD_DAYS} dias.",
            )
        return cls(first, last, bucket, group)

    def bounds(self) -> tuple[datetime, datetime]:
        """The local days first…last as [since, until) in UTC."""
        since = datetime.combine(self.first, time(), tzinfo=LOCAL_TZ).astimezone(UTC)
        until = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=LOCAL_TZ).astimezone(UTC)
        return since, until


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def _minutes(value: float) -> str:
    return duration_br(value * 60) if value else "0 min"


async def _now_context(session: Any, request: Request) -> dict[str, Any]:
    panel = await panel_now(session)
    ordem = BREACH_ORDER.pick(request.query_params.get("ordem"))
    panel["breaches"] = BREACH_ORDER.sorted_rows(panel["breaches"], ordem, _BREACH_KEYS)
    at_risk, breached = panel["at_risk"], panel["breached"]
    chart = bar_chart(
        LEVELS,
        [
            Series("Em risco", [at_risk["by_level"].get(lv, 0) for lv in LEVELS], tone=2),
            Series("Violadas", [breached["by_level"].get(lv, 0) for lv in LEVELS], tone=4),
        ],
        title="Conversas em risco e violadas por nível, agora",
        stacked=True,
        ident="sla-agora-niveis",
    )
    return {
        "panel": panel,
        "levels": LEVELS,
        "priorities": PRIORITIES,
        "levels_chart": chart,
        "minutes": _minutes,
        "breach_columns": BREACH_ORDER.columns,
        "breach_order": ordem,
        "now_url": NOW_URL if ordem == BREACH_ORDER.default else f"{NOW_URL}?ordem={ordem}",
    }


def _report_charts(series: dict[str, Any], query: ReportQuery) -> list[Markup]:
    groups = sorted(series["groups"], key=lambda g: -g["total"])[:MAX_LINES]
    labels = [p["label"] for p in series["overall"]]
    per = GROUP_LABELS[query.group].lower()

    def lines(pick: Any, *, seconds: bool) -> list[Series]:
        out = [Series("Total", [pick(p) for p in series["overall"]])]
        out += [Series(g["label"], [pick(p) for p in g["points"]]) for g in groups]
        if seconds:
            out = [Series(s.name, [None if v is None else v * 60 for v in s.values]) for s in out]
        return out

    def fmt_time(v: float) -> str:
        return duration_br(v) if v else "0"

    charts = [
        line_chart(
            labels,
            lines(lambda p: p["met_percent"], seconds=False),
            title=f"% de prazos cumpridos, total e por {per}",
            fmt=percent_br,
            ident="sla-cumprido",
        ),
    ]
    durations = [
        ("first_response", "Primeira resposta", "sla-1a"),
        ("resolution", "Resolução", "sla-res"),
    ]
    for target, name, ident in durations:
        for stat, stat_label, suffix in (("avg", "média", "media"), ("p90", "p90", "p90")):
            charts.append(
                line_chart(
                    labels,
                    lines(lambda p, t=target, st=stat: p[t][f"{st}_business_minutes"], seconds=True),
                    title=f"{name} — {stat_label} (minutos úteis), total e por {per}",
                    fmt=fmt_time,
                    seconds=True,
                    ident=f"{ident}-{suffix}",
                )
            )
    return charts


async def _report_context(session: Any, request: Request) -> dict[str, Any]:
    query = ReportQuery.from_query(request.query_params, _today())
    since, until = query.bounds()
    series = await sla_series(session, since, until, BUCKETS[query.bucket], GROUPS[query.group])
    return {
        "query": query,
        "charts": _report_charts(series, query),
        "hidden_groups": max(len(series["groups"]) - MAX_LINES, 0),
        "bucket_labels": BUCKET_LABELS,
        "group_labels": GROUP_LABELS,
    }


def _report_query_string(query: ReportQuery) -> str:
    return f"de={query.first.isoformat()}&ate={query.last.isoformat()}&por={query.bucket}&grupo={query.group}"


@router.get(PAGE_URL)
async def sla_page(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The "now" at once; the report region asks for itself once the page is there."""
    query = ReportQuery.from_query(request.query_params, _today())
    return pages.render(
        request,
        "atendimento/supervision/sla.html",
        active="sla",
        title="Painel de SLA",
        query=query,
        # as given: the report region explains bad dates itself
        query_string=request.url.query,
        bucket_labels=BUCKET_LABELS,
        group_labels=GROUP_LABELS,
        **await _now_context(session, request),
    )


@router.get(NOW_URL)
async def sla_now_fragment(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The "now" region alone (htmx): every live change and every minute."""
    context = await _now_context(session, request)
    return pages.render(request, "atendimento/supervision/sla_now.html", **context)


@router.get(REPORT_URL)
async def sla_report_fragment(
    request: Request, session: SessionDep, supervisor: SessionSupervisor
) -> Response:
    """The report region alone (htmx, the filter form); the address bar follows the filters."""
    context = await _report_context(session, request)
    query: ReportQuery = context["query"]
    headers = {"HX-Replace-Url": f"{PAGE_URL}?{_report_query_string(query)}"}
    return pages.render(request, "atendimento/supervision/sla_report.html", headers=headers, **context)
