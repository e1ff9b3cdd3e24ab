"""Every query of the hub's steps: the outbound message ledger, feedback requests, step outputs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from carinho.integracoes.flows.models import EventStep, StepStatus
from carinho.integracoes.flows.steps.models import (
    FeedbackRequest,
    FeedbackStatus,
    MessageStatus,
    OutboundMessage,
)
from carinho.kit.repository import SessionRepository


class StepsRepository(SessionRepository):
    # ------------------------------------------------------------ messages

    async def message(self, dedupe_key: str) -> OutboundMessage | None:
        result = await self.session.execute(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key)
        )
        return result.scalars().first()

    async def take_over(self, message_id: int, token: str, now: datetime, until: datetime) -> bool:
        """Claim a message that is not sent and not held by a live run."""
        result = await self.session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.status != MessageStatus.sent.value,
                or_(OutboundMessage.claimed_until.is_(None), OutboundMessage.claimed_until <= now),
            )
            .values(
                status=MessageStatus.sending.value,
                claimed_by=token,
                claimed_until=until,
                attempts=OutboundMessage.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def finish(self, message_id: int, token: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message_id, OutboundMessage.claimed_by == token)
            .values(claimed_by=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )

    # ------------------------------------------------------------ feedback

    async def feedback_for_service(self, service_id: str) -> FeedbackRequest | None:
        result = await self.session.execute(
            select(FeedbackRequest).where(FeedbackRequest.service_id == service_id)
        )
        return result.scalars().first()

    async def feedback(self, request_id: int) -> FeedbackRequest | None:
        return await self.session.get(FeedbackRequest, request_id)

    async def feedback_by_token(self, token: str) -> FeedbackRequest | None:
        result = await self.session.execute(select(FeedbackRequest).where(FeedbackRequest.token == token))
        return result.scalars().first()

    async def open_feedback_for_phone(self, phone: str, since: datetime) -> FeedbackRequest | None:
        result = await self.session.execute(
            select(FeedbackRequest)
            .where(
                FeedbackRequest.client_phone == phone,
                FeedbackRequest.status == FeedbackStatus.requested.value,
                FeedbackRequest.requested_at >= since,
            )
            .order_by(FeedbackRequest.requested_at.desc())
        )
        return result.scalars().first()

    # ------------------------------------------------------------ steps

    async def step_outputs(self, event_id: int) -> dict[str, Any]:
        result = await self.session.execute(
            select(EventStep.name, EventStep.output).where(
                EventStep.event_id == event_id, EventStep.status == StepStatus.done.value
            )
        )
        return {name: json.loads(output) if output else None for name, output in result.all()}
