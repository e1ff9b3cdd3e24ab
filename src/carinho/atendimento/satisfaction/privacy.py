"""The personal data of the satisfaction package: the customers' comments and the supervisors' notes
on follow-ups (both free text about a person). Scores stay: they are what the aggregates count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.retention.registry import register
from carinho.atendimento.satisfaction.repository import SatisfactionRepository


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class SatisfactionData:
    name = "satisfaction"

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        if not contact_ids:
            return []
        repo = SatisfactionRepository(session)
        surveys = await repo.surveys_of(contact_ids)
        notes: dict[int, list[dict[str, Any]]] = {}
        for followup in await repo.followups_of_surveys([s.id for s in surveys]):
            notes.setdefault(followup.survey_id, []).append(
                {"status": followup.status, "note": followup.note, "done_at": _iso(followup.done_at)}
            )
        return [
            {
                "survey_id": s.id,
                "contact_id": s.contact_id,
                "conversation_id": s.conversation_id,
                "service_id": s.service_id,
                "source": s.source,
                "status": s.status,
                "sent_at": _iso(s.sent_at),
                "answered_at": _iso(s.answered_at),
                "channel": s.answer_channel,
                "score": s.score,
                "csat": s.csat,
                "comment": s.comment,
                "late": s.late,
                "followups": notes.get(s.id, []),
            }
            for s in surveys
        ]

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        if not contact_ids:
            return 0
        repo = SatisfactionRepository(session)
        survey_ids = [s.id for s in await repo.surveys_of(contact_ids)]
        comments = await repo.scrub_comments(contact_ids=contact_ids, answered_before=None)
        return comments + await repo.scrub_notes(survey_ids=survey_ids, created_before=None)

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        if data_class != "message_text":
            return 0  # comments and notes are free text, kept as long as message text is
        repo = SatisfactionRepository(session)
        comments = await repo.scrub_comments(contact_ids=None, answered_before=before)
        return comments + await repo.scrub_notes(survey_ids=None, created_before=before)


satisfaction_data = register(SatisfactionData())
