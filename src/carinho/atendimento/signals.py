"""In-process domain signals of atendimento.

The inbox is the floor: it emits its signals inside the caller's transaction and calls none of the
packages that react to them. The funnel, automations, CRM sync, SLA, escalation, incidents,
retention and satisfaction packages connect their receivers in their own `receivers.py` (imported
from `atendimento/tasks.py`, which every process loads); triage, the funnel and the SLA monitor emit
signals of their own in the same way. A receiver runs in the same session, so what it writes commits
or rolls back with the change that triggered it. Who listens to what: docs/arquitetura.md, "Layers".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Receiver = Callable[..., Awaitable[None]]


class Phase(IntEnum):
    """When a receiver runs among those of one signal (in the order they connected within a phase)."""

    # The lead's funnel stage moves first: what follows sees the lead where the change put it.
    stage = 10
    # The conversation's own bookkeeping: SLA clocks, escalation rules, incidents, retention, surveys.
    state = 20
    # Automatic messages answer the conversation as the bookkeeping left it.
    answer = 30
    # The CRM push, last: the lead's sync job is queued after everything the change wrote.
    sync = 40


class Signal:
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Receiver] = []
        self._phases: dict[Receiver, Phase] = {}

    def connect(self, receiver: Receiver, phase: Phase = Phase.state) -> Receiver:
        if receiver not in self._receivers:
            self._phases[receiver] = phase
            self._receivers.append(receiver)
            self._receivers.sort(key=lambda connected: self._phases[connected])  # stable
        return receiver

    async def send(self, session: AsyncSession, **kwargs: Any) -> None:
        for receiver in self._receivers:
            await receiver(session, **kwargs)


# conversation, message, new_conversation: bool, new_contact: bool — a customer's message was stored.
message_received = Signal("message_received")
# conversation, message, actor — an outbound message was queued (person or automation; see actor.type).
message_queued = Signal("message_queued")
# contact, conversation, actor — a person changed a contact's name or e-mail.
contact_updated = Signal("contact_updated")
# conversation, before: str, after: str, actor
status_changed = Signal("status_changed")
# conversation, before: str, after: str, actor
priority_changed = Signal("priority_changed")
# conversation, before: str, after: str, actor
level_changed = Signal("level_changed")
# conversation, before: int | None, after: int | None, actor
assignee_changed = Signal("assignee_changed")
# conversation, target: str ("first_response" | "next_response" | "resolution"), before: str, after: str
# ("ok" | "at_risk" | "breached" | "met") — emitted by the SLA monitor once per transition.
sla_state_changed = Signal("sla_state_changed")
# conversation, question: str (the question's code), value (normalised answer), actor — an agent
# answered (or changed) one triage question.
triage_answered = Signal("triage_answered")
# conversation, outcome: str ("qualified" | "not_qualified"), actor — the last required question was answered.
triage_completed = Signal("triage_completed")
# conversation, before: str, after: str (funnel stages), actor — the lead moved in the funnel.
funnel_moved = Signal("funnel_moved")

# A customer's message that answers something we asked after the conversation ended (an NPS
# survey) belongs to that ended conversation, not to a new one. Claimers get
# (session, contact, text) and return the conversation that takes the message, or None.
InboundClaimer = Callable[..., Awaitable[Any]]
inbound_claimers: list[InboundClaimer] = []
