"""The side panel's SLA section: each target's state and due time, and a countdown in business time
that runs only while the clock does (the calendar open, the conversation not waiting for the customer).
Read through the SLA API's own view of a conversation (sla/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import Conversation, Priority
from carinho.atendimento.sla.models import SlaStatus, Target
from carinho.atendimento.sla.schemas import TargetOut
from carinho.atendimento.sla.service import sla_service
from carinho.atendimento.sla.views import conversation_sla_out
from carinho.atendimento.working_hours.service import working_hours_service

SLA_TONES = {
    SlaStatus.ok.value: "success",
    SlaStatus.at_risk.value: "warning",
    SlaStatus.breached.value: "danger",
    SlaStatus.met.value: "neutral",
    SlaStatus.cancelled.value: "neutral",
}
TARGET_LABELS = {
    Target.first_response.value: "Primeira resposta",
    Target.next_response.value: "Próxima resposta",
    Target.resolution.value: "Resolução",
}
PAUSED_WAITING = "pausado — aguardando o cliente"
# The section refreshes itself when the clock starts or stops, and at least this often while it runs.
MAX_REFRESH_SECONDS = 6 * 3600


@dataclass
class SlaTargetView:
    key: str
    label: str
    status: str
    status_label: str
    tone: str
    due_at: datetime
    running: bool
    ticking: bool
    remaining_seconds: float
    pause_text: str | None
    target_text: str
    took_text: str | None
    met_in_time: bool | None


def business_text(minutes: float) -> str:
    """'42 min úteis', '1 h útil', '24 h 30 min úteis' (business time reads in hours, not days)."""
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return "1 min útil" if rest == 1 else f"{rest} min úteis"
    if (hours, rest) == (1, 0):
        return "1 h útil"
    return f"{hours} h {rest:02d} min úteis" if rest else f"{hours} h úteis"


@dataclass
class SlaView:
    status: str
    status_label: str
    tone: str
    priority_label: str
    targets: list[SlaTargetView]
    open_now: bool
    next_opening: datetime | None
    # Seconds until the clock starts or stops (the calendar opens or closes): the section refreshes then.
    refresh_in: int | None


async def sla_view(session: AsyncSession, conversation: Conversation, now: datetime) -> SlaView | None:
    state = await sla_service.state(session, conversation.id)
    if state is None:
        return None
    out = await conversation_sla_out(session, state)
    calendar = await working_hours_service.calendar(session)
    open_now = calendar.is_open(now)
    next_opening = None if open_now else calendar.next_opening(now)
    latest: dict[str, TargetOut] = {}
    for target in out.targets:  # oldest first: the last of each kind is its current cycle
        latest[target.target.value] = target
    targets = [
        _target_view(latest[key], open_now, next_opening)
        for key in (Target.first_response.value, Target.next_response.value, Target.resolution.value)
        if key in latest
    ]
    change = calendar.current_closing(now) if open_now else next_opening
    refresh_in = None
    if change is not None and any(t.running and t.pause_text != PAUSED_WAITING for t in targets):
        refresh_in = int(min(max((change - now).total_seconds() + 5, 5), MAX_REFRESH_SECONDS))
    return SlaView(
        status=out.status.value,
        status_label=out.status_label,
        tone=SLA_TONES.get(out.status.value, "neutral"),
        priority_label=Priority(out.priority.value).label,
        targets=targets,
        open_now=open_now,
        next_opening=next_opening,
        refresh_in=refresh_in,
    )


def _target_view(target: TargetOut, open_now: bool, next_opening: datetime | None) -> SlaTargetView:
    running = target.ended_at is None
    pause_text = None
    if running and target.paused:
        pause_text = PAUSED_WAITING
    elif running and not open_now:
        pause_text = "pausado — fora do expediente"
    return SlaTargetView(
        key=target.target.value,
        label=TARGET_LABELS[target.target.value],
        status=target.status.value,
        status_label=target.status_label,
        tone=SLA_TONES.get(target.status.value, "neutral"),
        due_at=target.due_at,
        running=running,
        ticking=running and pause_text is None,
        remaining_seconds=(target.target_minutes - target.elapsed_business_minutes) * 60,
        pause_text=pause_text,
        target_text=business_text(target.target_minutes),
        took_text=business_text(target.business_minutes) if target.business_minutes is not None else None,
        met_in_time=target.met_in_time,
    )
