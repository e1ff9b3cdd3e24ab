"""Answers to a feedback request: a WhatsApp reply ("9 adorei o cuidado") or the link's form. Each
answer is recorded on the request and raised as `feedback.received` (the CRM and cuidadores get it)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.flows.step_api import StepContext
from carinho.integracoes.flows.steps import internal_events
from carinho.integracoes.flows.steps.models import FeedbackRequest, FeedbackStatus
from carinho.integracoes.flows.steps.repository import StepsRepository
from carinho.kit.clock import utcnow

_ANSWER = re.compile(
    r"^\s*(?:nota\s*[:=]?\s*)?(10|\d)(?:\s*/\s*10)?(?!\d)\s*[-–—,.:;!]*\s*(.*)$", re.I | re.S
)


def parse_answer(text: str | None) -> tuple[int, str | None] | None:
    """(rating 0–10, comment) from a reply, or None when it is not an answer."""
    match = _ANSWER.match(text or "")
    if match is None:
        return None
    comment = match.group(2).strip()
    return int(match.group(1)), comment[:5000] or None


async def record_answer(
    session: AsyncSession, request: FeedbackRequest, rating: int, comment: str | None, channel: str
) -> int | None:
    """Mark the request answered and raise `feedback.received`; None when it was answered already."""
    if request.status == FeedbackStatus.answered.value:
        return None
    now = utcnow()
    request.status = FeedbackStatus.answered.value
    request.rating, request.comment = rating, comment
    request.answered_at, request.answer_channel = now, channel
    request.updated_at = now
    payload: dict[str, Any] = {
        "feedback_request_id": request.id,
        "service_id": request.service_id,
        "client_id": request.client_id,
        "caregiver_id": request.caregiver_id,
        "rating": rating,
        "scale": 10,
        "comment": comment,
        "channel": channel,
    }
    return await internal_events.raise_event(
        session, "integracoes", "feedback.received", f"feedback-answer:{request.id}", payload
    )


async def record_whatsapp_answer(ctx: StepContext) -> dict[str, Any]:
    answer = parse_answer(ctx.payload.get("text"))
    if answer is None:
        return {"skipped": "not a rating"}
    window = timedelta(days=_reply_window_days())
    repo = StepsRepository(ctx.session)
    request = await repo.open_feedback_for_phone(ctx.payload["phone"], utcnow() - window)
    if request is None:
        return {"skipped": "no open feedback request"}
    event_id = await record_answer(ctx.session, request, answer[0], answer[1], "whatsapp")
    return {"feedback_request_id": request.id, "feedback_event_id": event_id}


def _reply_window_days() -> float:
    from carinho.integracoes.flows.steps.common import settings

    return settings().feedback_reply_window_days
