"""SlaService: policies per priority, and each conversation's targets through its life.

The inbox's signals drive it (see receivers.py): a new conversation starts the first-response and
resolution targets; a person's reply meets the response targets (automatic messages do not); a
customer's message after a reply starts a next-response cycle; waiting for the customer pauses
every running target (when the policy says so) and the pause moves their deadlines; resolving or
closing meets the resolution; a priority change recomputes the running targets from their start.
The transitions to at risk and breached are the monitor's (monitor.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import Conversation, ConversationStatus, Priority
from carinho.atendimento.sla import arithmetic
from carinho.atendimento.sla.arithmetic import Pause
from carinho.atendimento.sla.breaches import record_breach
from carinho.atendimento.sla.models import (
    ConversationSla,
    SlaPolicy,
    SlaStatus,
    SlaTarget,
    Target,
)
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.scheduling import flag_unscheduled, is_unscheduled, schedule
from carinho.atendimento.working_hours.calendar import BusinessCalendar
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class PolicyValues:
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    at_risk_percent: int = 80
    pause_while_waiting_customer: bool = True

    def minutes_for(self, target: Target) -> int:
        return int(getattr(self, f"{target.value}_minutes"))


# Business minutes (the seed's "SLA por prioridade"); used when a policy row is missing.
DEFAULT_POLICIES: dict[Priority, PolicyValues] = {
    Priority.urgent: PolicyValues(15, 30, 240),
    Priority.high: PolicyValues(30, 60, 480),
    Priority.normal: PolicyValues(60, 120, 1440),
    Priority.low: PolicyValues(240, 480, 2880),
}
# Worse first: the overall status of a conversation is its worst running target.
SEVERITY = {SlaStatus.ok.value: 0, SlaStatus.at_risk.value: 1, SlaStatus.breached.value: 2}
MAX_TARGET_MINUTES = 60 * 24 * 366


def values_of(policy: SlaPolicy) -> PolicyValues:
    return PolicyValues(
        first_response_minutes=policy.first_response_minutes,
        next_response_minutes=policy.next_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        at_risk_percent=policy.at_risk_percent,
        pause_while_waiting_customer=policy.pause_while_waiting_customer,
    )


def pauses_of(state: ConversationSla) -> list[Pause]:
    """The closed pauses, plus the one in progress (no end)."""
    result: list[Pause] = [
        (datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"])) for p in state.pauses or []
    ]
    if state.paused_since is not None:
        result.append((state.paused_since, None))
    return result


def validate_policy(values: PolicyValues) -> None:
    for target in Target:
        minutes = values.minutes_for(target)
        if not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise BadRequest(
                f"Prazo de {target.label} inválido: use de 1 a {MAX_TARGET_MINUTES} minutos úteis."
            )
    if values.resolution_minutes < values.first_response_minutes:
        raise BadRequest("O prazo de resolução não pode ser menor que o de primeira resposta.")
    if not 1 <= values.at_risk_percent <= 99:
        raise BadRequest("O limite de risco deve ficar entre 1 % e 99 % do prazo.")


class SlaService:
    # ------------------------------------------------------------------ policies

    async def policy_values(self, session: AsyncSession, priority: str) -> PolicyValues:
        row = await SlaRepository(session).policy(priority)
        if row is not None:
            return values_of(row)
        return DEFAULT_POLICIES.get(Priority(priority), DEFAULT_POLICIES[Priority.normal])

    async def policies(self, session: AsyncSession) -> list[tuple[Priority, PolicyValues]]:
        rows = {p.priority: values_of(p) for p in await SlaRepository(session).policies()}
        return [(priority, rows.get(priority.value, DEFAULT_POLICIES[priority])) for priority in Priority]

    async def update_policies(
        self, session: AsyncSession, supervisor: Agent, changes: dict[Priority, PolicyValues]
    ) -> list[tuple[Priority, PolicyValues]]:
        """New values apply to targets started from now on; running targets keep theirs."""
        repo = SlaRepository(session)
        for priority, values in changes.items():
            validate_policy(values)
            row = await repo.policy(priority.value)
            before = values_of(row) if row is not None else None
            if before == values:
                continue
            if row is None:
                row = SlaPolicy(priority=priority.value)
                repo.add(row)
            for key, value in values.__dict__.items():
                setattr(row, key, value)
            history_service.record(
                session,
                Action.sla_policy_changed,
                Actor.of(supervisor),
                before={"priority": priority.value, **before.__dict__} if before else None,
                after={"priority": priority.value, **values.__dict__},
            )
        await session.flush()
        return await self.policies(session)

    # ------------------------------------------------------------------ reading

    async def state(self, session: AsyncSession, conversation_id: int) -> ConversationSla | None:
        return await SlaRepository(session).state(conversation_id)

    async def targets(self, session: AsyncSession, conversation_id: int) -> Sequence[SlaTarget]:
        return await SlaRepository(session).targets(conversation_id)

    async def elapsed(
        self, session: AsyncSession, state: ConversationSla, target: SlaTarget, at: datetime | None = None
    ) -> float:
        """Business minutes the target's clock has run (up to its end, or now)."""
        if target.business_minutes is not None:
            return target.business_minutes
        calendar = await working_hours_service.calendar(session)
        end = target.ended_at or at or utcnow()
        return arithmetic.elapsed(calendar, target.started_at, end, pauses_of(state))

    # ------------------------------------------------------------------ lifecycle

    async def ensure_state(
        self, session: AsyncSession, conversation: Conversation, *, new_conversation: bool = False
    ) -> ConversationSla:
        """The conversation's SLA state, started if missing (see below for from when)."""
        repo = SlaRepository(session)
        # A conversation created in this transaction has a state only if this session added it.
        if new_conversation:
            state = repo.state_in_session(conversation.id)
        else:
            state = await repo.state(conversation.id)
        if state is not None:
            return state
        # Only a conversation that has just been created counts from its creation. One that existed
        # before the SLA was deployed gets its state here, lazily, on its next activity: counted from
        # its creation, every old open conversation would breach at once (an alert storm and
        # automatic escalations on the first day), so its clock starts now, and a first response it
        # already had is not timed again.
        started = conversation.created_at if new_conversation and conversation.created_at else utcnow()
        answered_before = not new_conversation and conversation.first_response_at is not None
        state = ConversationSla(
            conversation_id=conversation.id,
            priority=conversation.priority,
            started_at=started,
            status=SlaStatus.ok.value,
            paused_business_minutes=0.0,
            pauses=[],
        )
        repo.add_state(state)
        values = await self.policy_values(session, conversation.priority)
        calendar = await working_hours_service.calendar(session)
        first = (
            None
            if answered_before
            else self._new_target(calendar, state, Target.first_response, 1, started, values)
        )
        resolution = self._new_target(calendar, state, Target.resolution, 1, started, values)
        if first is not None:
            repo.add(first)
        repo.add(resolution)
        await session.flush()
        await flag_unscheduled(session, state, [first, resolution])
        history_service.record(
            session,
            Action.sla_applied,
            Actor.system(),
            conversation_id=conversation.id,
            after={
                "priority": conversation.priority,
                "first_response_due_at": first.due_at.isoformat() if first else None,
                "resolution_due_at": resolution.due_at.isoformat(),
            },
            details={"policy": values.__dict__, "started_at": started.isoformat()},
        )
        return state

    def _new_target(
        self,
        calendar: BusinessCalendar,
        state: ConversationSla,
        target: Target,
        cycle: int,
        started: datetime,
        values: PolicyValues,
    ) -> SlaTarget:
        row = SlaTarget(
            conversation_id=state.conversation_id,
            target=target.value,
            cycle=cycle,
            priority=state.priority,
            target_minutes=values.minutes_for(target),
            status=SlaStatus.ok.value,
            started_at=started,
            paused_since=state.paused_since,
            paused_business_minutes=0.0,
            revision=1,
        )
        schedule(calendar, row, values.at_risk_percent, pauses_of(state))
        return row

    async def on_customer_message(self, session: AsyncSession, conversation: Conversation) -> None:
        """A customer's message after a person's reply starts a next-response cycle (unless one runs)."""
        state = await self.ensure_state(session, conversation)
        if conversation.first_response_at is None:
            return
        repo = SlaRepository(session)
        running = await repo.running_targets(conversation.id)
        if any(t.target == Target.next_response.value for t in running):
            return
        values = await self.policy_values(session, state.priority)
        calendar = await working_hours_service.calendar(session)
        cycle = await repo.last_cycle(conversation.id, Target.next_response.value) + 1
        target = self._new_target(calendar, state, Target.next_response, cycle, utcnow(), values)
        repo.add(target)
        await session.flush()
        await flag_unscheduled(session, state, [target])
        await self._refresh_overall(session, state)

    async def on_agent_reply(
        self, session: AsyncSession, conversation: Conversation, agent_id: int | None
    ) -> None:
        """A person answered: the first response and the running next response are met."""
        state = await self.ensure_state(session, conversation)
        targets = await SlaRepository(session).running_targets(conversation.id)
        responses = [t for t in targets if t.target != Target.resolution.value]
        for target in responses:
            await self._end(session, state, conversation, target, SlaStatus.met, agent_id)
        if responses:
            await self._refresh_overall(session, state)

    async def on_status_changed(
        self, session: AsyncSession, conversation: Conversation, before: str, after: str
    ) -> None:
        state = await self.ensure_state(session, conversation)
        now = utcnow()
        if before == ConversationStatus.waiting_customer.value and state.paused_since is not None:
            await self._resume(session, state, now)
        was_active = ConversationStatus(before).is_active
        is_active = ConversationStatus(after).is_active
        if was_active and not is_active:
            for target in await SlaRepository(session).running_targets(conversation.id):
                if target.target == Target.resolution.value:
                    await self._end(
                        session, state, conversation, target, SlaStatus.met, conversation.assignee_id
                    )
                else:
                    await self._end(session, state, conversation, target, SlaStatus.cancelled, None)
        elif is_active and not was_active:
            await self._reopen(session, state)
        if after == ConversationStatus.waiting_customer.value and state.paused_since is None:
            values = await self.policy_values(session, state.priority)
            if values.pause_while_waiting_customer:
                await self._pause(session, state, now)
        await self._refresh_overall(session, state)

    async def on_priority_changed(
        self, session: AsyncSession, conversation: Conversation, before: str, after: str, actor: Actor
    ) -> None:
        """The running targets are recomputed from their start with the new priority's policy."""
        state = await self.ensure_state(session, conversation)
        state.priority = after
        values = await self.policy_values(session, after)
        calendar = await working_hours_service.calendar(session)
        pauses = pauses_of(state)
        now = utcnow()
        changes: list[dict[str, Any]] = []
        for target in await SlaRepository(session).running_targets(conversation.id):
            old = {
                "status": target.status,
                "due_at": target.due_at.isoformat(),
                "minutes": target.target_minutes,
            }
            target.priority = after
            target.target_minutes = values.minutes_for(Target(target.target))
            if is_unscheduled(state, target):
                target.paused_since = None
            schedule(calendar, target, values.at_risk_percent, pauses)
            target.revision += 1
            # Easing is applied here; getting worse is left to the monitor, which alerts for it.
            relaxed = self._status_at(target, now)
            if SEVERITY[relaxed] < SEVERITY[target.status]:
                target.status = relaxed
                if relaxed == SlaStatus.ok.value:
                    target.at_risk_since = None
                if target.breached_at is not None and relaxed != SlaStatus.breached.value:
                    target.breached_at = None
                    target.met_in_time = None
                    breach = await SlaRepository(session).open_breach(target.id)
                    if breach is not None:
                        breach.ended_at = now
            changes.append(
                {
                    "target": target.target,
                    "cycle": target.cycle,
                    "before": old,
                    "after": {
                        "status": target.status,
                        "due_at": target.due_at.isoformat(),
                        "minutes": target.target_minutes,
                    },
                }
            )
        await session.flush()
        history_service.record(
            session,
            Action.sla_recomputed,
            actor,
            conversation_id=conversation.id,
            before={"priority": before},
            after={"priority": after},
            details={"targets": changes},
        )
        await self._refresh_overall(session, state)

    @staticmethod
    def _status_at(target: SlaTarget, now: datetime) -> str:
        if target.paused_since is None and target.due_at <= now:
            return SlaStatus.breached.value
        if target.paused_since is None and target.at_risk_at <= now:
            return SlaStatus.at_risk.value
        return SlaStatus.ok.value

    # ------------------------------------------------------------------ pauses

    async def _pause(self, session: AsyncSession, state: ConversationSla, now: datetime) -> None:
        state.paused_since = now
        for target in await SlaRepository(session).running_targets(state.conversation_id):
            target.paused_since = now

    async def _resume(self, session: AsyncSession, state: ConversationSla, now: datetime) -> None:
        """The pause ends: it is recorded, and the running targets' deadlines move by it."""
        assert state.paused_since is not None
        calendar = await working_hours_service.calendar(session)
        start = state.paused_since
        minutes = calendar.business_minutes_between(start, now)
        state.pauses = [
            *(state.pauses or []),
            {"start": start.isoformat(), "end": now.isoformat(), "business_minutes": round(minutes, 3)},
        ]
        state.paused_business_minutes = (state.paused_business_minutes or 0.0) + minutes
        state.paused_since = None
        pauses = pauses_of(state)
        for target in await SlaRepository(session).running_targets(state.conversation_id):
            target.paused_since = None
            if target.status == SlaStatus.breached.value:
                continue  # its deadline has passed; a pause after it changes nothing
            target.paused_business_minutes = arithmetic.paused_minutes(
                calendar, target.started_at, now, pauses
            )
            percent = (await self.policy_values(session, target.priority)).at_risk_percent
            schedule(calendar, target, percent, pauses)

    # ------------------------------------------------------------------ endings

    async def _end(
        self,
        session: AsyncSession,
        state: ConversationSla,
        conversation: Conversation,
        target: SlaTarget,
        outcome: SlaStatus,
        agent_id: int | None,
    ) -> None:
        now = utcnow()
        calendar = await working_hours_service.calendar(session)
        pauses = pauses_of(state)
        late = target.paused_since is None and target.due_at <= now
        if outcome is SlaStatus.met and late and target.breached_at is None:
            # Met after its deadline before the monitor noticed: still a breach, recorded as such.
            await record_breach(session, target, conversation, now, calendar, pauses)
        before = target.status
        target.status = outcome.value
        target.ended_at = now
        target.paused_since = None
        target.agent_id = agent_id if agent_id is not None else conversation.assignee_id
        if outcome is SlaStatus.met:
            target.met_in_time = target.breached_at is None and not late
            target.business_minutes = arithmetic.elapsed(calendar, target.started_at, now, pauses)
            target.wall_minutes = arithmetic.wall_minutes(target.started_at, now)
        elif target.breached_at is not None:
            target.met_in_time = False
        target.paused_business_minutes = arithmetic.paused_minutes(calendar, target.started_at, now, pauses)
        breach = await SlaRepository(session).open_breach(target.id)
        if breach is not None:
            breach.ended_at = now
            # Measured from the due time the breach was recorded against (a later priority change
            # may have moved the target's own).
            breach.overdue_business_minutes = round(
                arithmetic.elapsed(calendar, breach.due_at, now, pauses), 3
            )
        await session.flush()
        if outcome is SlaStatus.met:
            await signals.sla_state_changed.send(
                session, conversation=conversation, target=target.target, before=before, after=outcome.value
            )

    async def _reopen(self, session: AsyncSession, state: ConversationSla) -> None:
        """A resolved conversation opened again: a new resolution cycle starts now."""
        repo = SlaRepository(session)
        values = await self.policy_values(session, state.priority)
        calendar = await working_hours_service.calendar(session)
        cycle = await repo.last_cycle(state.conversation_id, Target.resolution.value) + 1
        target = self._new_target(calendar, state, Target.resolution, cycle, utcnow(), values)
        repo.add(target)
        await session.flush()
        await flag_unscheduled(session, state, [target])

    async def reschedule_unscheduled(self, session: AsyncSession, now: datetime, limit: int) -> int:
        """Targets left paused for lack of business time get their deadlines once the calendar
        has open time again (the monitor calls this)."""
        calendar = await working_hours_service.calendar(session)
        if calendar.next_opening(now) is None:
            return 0
        rescheduled = 0
        for state, target in await SlaRepository(session).unscheduled_targets(limit):
            target.paused_since = None
            percent = (await self.policy_values(session, target.priority)).at_risk_percent
            schedule(calendar, target, percent, pauses_of(state))
            if target.paused_since is None:
                target.revision += 1
                rescheduled += 1
        if rescheduled:
            await session.flush()
            log.info("atendimento.sla_rescheduled", targets=rescheduled)
        return rescheduled

    async def _refresh_overall(self, session: AsyncSession, state: ConversationSla) -> None:
        running = await SlaRepository(session).running_targets(state.conversation_id)
        if not running:
            state.status = SlaStatus.met.value
            return
        state.status = max((t.status for t in running), key=lambda s: SEVERITY[s])

    async def refresh_overall(self, session: AsyncSession, conversation_id: int) -> None:
        state = await SlaRepository(session).state(conversation_id)
        if state is not None:
            await self._refresh_overall(session, state)


sla_service = SlaService()
