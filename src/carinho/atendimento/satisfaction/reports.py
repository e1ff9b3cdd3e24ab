"""NPS and CSAT figures over the surveys sent in a period, overall and per group.

NPS = % promoters (9–10) − % detractors (0–6) of the answers; CSAT = % of 4–5 among the answers to
the optional 1–5 question; response rate = answers / surveys sent. A survey belongs to the period in
which it was *sent* (a cohort: late answers still count for the period they answer), and to the
agent, level and labels it had when it was sent (snapshots on the row, so figures never shift).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.satisfaction.repository import SatisfactionRepository
from carinho.atendimento.working_hours.service import working_hours_service


class GroupBy(StrEnum):
    agent = "agent"
    level = "level"
    category = "category"
    channel = "channel"
    source = "source"
    period = "period"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


CHANNEL_LABELS: dict[str | None, str] = {"whatsapp": "WhatsApp", "link": "Link"}
SOURCE_LABELS: dict[str | None, str] = {"conversation": "Conversa encerrada", "service": "Após o serviço"}


def nps(scores: Iterable[int]) -> float | None:
    """% of 9–10 minus % of 0–6, one decimal; None without answers."""
    values = list(scores)
    if not values:
        return None
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    return round((promoters - detractors) * 100 / len(values), 1)


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass(slots=True)
class Figures:
    sent: int = 0
    responses: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    late: int = 0
    csat_responses: int = 0
    csat_satisfied: int = 0

    def add(self, row: Any) -> None:
        self.sent += 1
        score = row.score
        if score is None:
            return
        self.responses += 1
        if score >= 9:
            self.promoters += 1
        elif score <= 6:
            self.detractors += 1
        else:
            self.passives += 1
        if row.late:
            self.late += 1
        if row.csat is not None:
            self.csat_responses += 1
            self.csat_satisfied += row.csat >= 4

    def as_dict(self, *, with_rate: bool = True) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "responses": self.responses,
            "response_rate": _pct(self.responses, self.sent) if with_rate else None,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            # nps() of the scores, from the counts: (promoters − detractors) / responses.
            "nps": round((self.promoters - self.detractors) * 100 / self.responses, 1)
            if self.responses
            else None,
            "late": self.late,
            "csat_responses": self.csat_responses,
            "csat": _pct(self.csat_satisfied, self.csat_responses),
        }


def period_start(instant: datetime, tz: tzinfo, period: Period) -> str:
    local = instant.astimezone(tz).date()
    if period is Period.week:
        local -= timedelta(days=local.weekday())
    elif period is Period.month:
        local = local.replace(day=1)
    return local.isoformat()


KeyFn = Callable[[Any], list[str | None]]


def _keys(group_by: GroupBy, tz: tzinfo, period: Period) -> KeyFn:
    if group_by is GroupBy.agent:
        return lambda r: [str(r.agent_id) if r.agent_id is not None else None]
    if group_by is GroupBy.level:
        return lambda r: [r.level]
    if group_by is GroupBy.category:
        # A survey counts in each of its labels (and in "no label" when it has none).
        return lambda r: list(r.labels or []) or [None]
    if group_by is GroupBy.channel:
        return lambda r: [r.answer_channel] if r.answer_channel else []
    if group_by is GroupBy.source:
        return lambda r: [r.source]
    return lambda r: [period_start(r.sent_at, tz, period)]


class ReportService:
    async def nps(
        self,
        session: AsyncSession,
        start: datetime,
        end: datetime,
        group_by: GroupBy | None,
        period: Period = Period.month,
    ) -> dict[str, Any]:
        return (await self.nps_views(session, start, end, [(group_by, period)]))[0]

    async def nps_views(
        self,
        session: AsyncSession,
        start: datetime,
        end: datetime,
        views: Sequence[tuple[GroupBy | None, Period]],
    ) -> list[dict[str, Any]]:
        """`nps` for each (group_by, period) of `views`, from one read of the period's surveys (a
        page showing the overall figures, a series and a breakdown reads them once, not thrice)."""
        repo = SatisfactionRepository(session)
        rows = await repo.sent_between(start, end, labels=any(g is GroupBy.category for g, _ in views))
        tz = (await working_hours_service.calendar(session)).tz
        overall = Figures()
        for row in rows:
            overall.add(row)
        return [
            await self._view(repo, rows, overall, start, end, tz, group_by, period)
            for group_by, period in views
        ]

    async def _view(
        self,
        repo: SatisfactionRepository,
        rows: list[Any],
        overall: Figures,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        group_by: GroupBy | None,
        period: Period,
    ) -> dict[str, Any]:
        groups: dict[str | None, Figures] = {}
        if group_by is not None:
            key_fn = _keys(group_by, tz, period)
            for row in rows:
                for key in key_fn(row):
                    figures = groups.get(key)
                    if figures is None:
                        figures = groups[key] = Figures()
                    figures.add(row)
        labels = await self._labels(repo, group_by, groups)
        ordered = sorted(groups.items(), key=lambda item: (item[0] is None, str(item[0])))
        return {
            "start": start,
            "end": end,
            "group_by": group_by.value if group_by else None,
            "period": period.value if group_by is GroupBy.period else None,
            "overall": overall.as_dict(),
            "groups": [
                {
                    "key": key,
                    "label": labels.get(key, key or "—"),
                    # Unanswered surveys have no channel: a rate per channel would always be 100 %.
                    **figures.as_dict(with_rate=group_by is not GroupBy.channel),
                }
                for key, figures in ordered
            ],
        }

    async def _labels(
        self, repo: SatisfactionRepository, group_by: GroupBy | None, groups: dict[str | None, Figures]
    ) -> dict[str | None, str]:
        if group_by is GroupBy.agent:
            names = await repo.agent_names({int(k) for k in groups if k is not None})
            return {None: "Sem atendente", **{str(i): n for i, n in names.items()}}
        if group_by is GroupBy.category:
            return {None: "Sem etiqueta"}
        if group_by is GroupBy.level:
            return {None: "Sem nível (pesquisa de serviço)"}
        if group_by is GroupBy.channel:
            return {**CHANNEL_LABELS}
        if group_by is GroupBy.source:
            return {**SOURCE_LABELS}
        return {}

    async def comments(
        self, session: AsyncSession, start: datetime, end: datetime, limit: int = 50
    ) -> list[dict[str, Any]]:
        """The comments answered in the period, newest first, with the agent's name."""
        repo = SatisfactionRepository(session)
        rows = await repo.comments_between(start, end, limit)
        names = await repo.agent_names({r.agent_id for r in rows if r.agent_id is not None})
        return [
            {
                "survey_id": r.id,
                "conversation_id": r.conversation_id,
                "agent": names.get(r.agent_id) if r.agent_id is not None else None,
                "score": r.score,
                "csat": r.csat,
                "comment": r.comment,
                "answered_at": r.answered_at,
            }
            for r in rows
        ]

    async def last_30_days(self, session: AsyncSession, now: datetime) -> dict[str, Any]:
        repo = SatisfactionRepository(session)
        responses, promoters, detractors = await repo.answered_since(now - timedelta(days=30))
        return {
            "nps_30d": round((promoters - detractors) * 100 / responses, 1) if responses else None,
            "responses_30d": responses,
            "promoters_30d": promoters,
            "detractors_30d": detractors,
        }


report_service = ReportService()
