"""In-process domain signals of atendimento.

The inbox emits them inside the caller's transaction; the SLA, escalation, incident and
satisfaction packages connect their receivers in their own `receivers.py` (imported from
`atendimento/tasks.py`, which every process loads). A receiver runs in the same session, so what it
writes commits or rolls back with the change that triggered it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Receiver = Callable[..., Awaitable[None]]


class Signal:
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Receiver] = []

    def connect(self, receiver: Receiver) -> Receiver:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    async def send(self, session: AsyncSession, **kwargs: Any) -> None:
        for receiver in self._receivers:
            await receiver(session, **kwargs)


# conversation, message, new_conversation: bool — a customer's message was stored.
message_received = Signal("message_received")
# conversation, message, actor — an outbound message was queued (person or automation; see actor.type).
message_queued = Signal("message_queued")
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

# A customer's message that answers something we asked after the conversation ended (an NPS
# survey) belongs to that ended conversation, not to a new one. Claimers get
# (session, contact, text) and return the conversation that takes the message, or None.
InboundClaimer = Callable[..., Awaitable[Any]]
inbound_claimers: list[InboundClaimer] = []
