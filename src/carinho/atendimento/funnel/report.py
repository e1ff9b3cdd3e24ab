"""The commercial view of the funnel: the leads per stage now (the board), how many leads reached
each stage in a period (conversion between stages) and why leads were lost (loss reasons).

A lead "reached" a stage in the period when it moved into that stage or any later one of the path
Novo → Em atendimento → Qualificado → Proposta enviada → Ganho (a lead qualified straight from Novo
also counts as served). Novo counts the conversations opened in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.funnel.repository import FunnelRepository
from carinho.atendimento.inbox.models import Conversation

PATH: tuple[FunnelStage, ...] = (
    FunnelStage.new,
    FunnelStage.in_service,
    FunnelStage.qualified,
    FunnelStage.proposal_sent,
    FunnelStage.won,
)
UNKNOWN_REASON = "Sem motivo registrado"


@dataclass(frozen=True)
class Column:
    stage: FunnelStage
    total: int
    leads: Sequence[Conversation]


@dataclass(frozen=True)
class Step:
    stage: FunnelStage
    reached: int
    rate: float | None  # % of the previous step's leads that reached this one; None for the first


@dataclass(frozen=True)
class LossShare:
    reason_id: int | None
    label: str
    count: int
    share: float  # % of the period's losses


@dataclass(frozen=True)
class FunnelReport:
    start: datetime
    end: datetime
    steps: list[Step]
    lost: int
    losses: list[LossShare]

    @property
    def overall(self) -> float | None:
        """% of the period's new leads that were won."""
        first, last = self.steps[0].reached, self.steps[-1].reached
        return _pct(last, first)


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


class FunnelReportService:
    async def board(self, session: AsyncSession, per_stage: int) -> list[Column]:
        """Every stage with its number of leads and the `per_stage` most recently active ones."""
        repo = FunnelRepository(session)
        counts = await repo.stage_counts()
        return [
            Column(stage, counts.get(stage.value, 0), await repo.leads_in_stage(stage, per_stage))
            for stage in FunnelStage
        ]

    async def report(self, session: AsyncSession, start: datetime, end: datetime) -> FunnelReport:
        repo = FunnelRepository(session)
        steps: list[Step] = []
        previous: int | None = None
        for index, stage in enumerate(PATH):
            if stage is FunnelStage.new:
                reached = await repo.new_leads(start, end)
            else:
                reached = await repo.reached(PATH[index:], start, end)
            steps.append(Step(stage, reached, None if previous is None else _pct(reached, previous)))
            previous = reached
        counted = await repo.losses_by_reason(start, end)
        lost = sum(n for _, n in counted)
        labels = {r.id: r.label for r in await repo.loss_reasons()}
        losses = sorted(
            (
                LossShare(rid, labels.get(rid or 0, UNKNOWN_REASON), n, _pct(n, lost) or 0.0)
                for rid, n in counted
            ),
            key=lambda s: (-s.count, s.label),
        )
        return FunnelReport(start, end, steps, lost, losses)


funnel_report_service = FunnelReportService()
