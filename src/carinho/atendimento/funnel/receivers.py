"""What the funnel does when the inbox or the triage emits a signal (see atendimento/signals.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import ActorType
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.triage.models import TriageOutcome


async def on_message_queued(
    session: AsyncSession, *, conversation: Conversation, actor: Actor, **_: Any
) -> None:
    # A person's reply puts a new lead in service; automatic messages do not.
    if actor.type is ActorType.agent:
        await funnel_service.on_agent_reply(session, conversation)


async def on_triage_completed(
    session: AsyncSession, *, conversation: Conversation, outcome: str, actor: Actor, **_: Any
) -> None:
    if outcome == TriageOutcome.qualified.value:
        await funnel_service.on_triage_qualified(session, conversation, actor)


signals.message_queued.connect(on_message_queued, signals.Phase.stage)
signals.triage_completed.connect(on_triage_completed, signals.Phase.stage)
