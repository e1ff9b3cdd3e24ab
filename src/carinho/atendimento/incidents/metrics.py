"""The incidents part of the live metrics (composed by carinho.atendimento.metrics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents.models import Severity
from carinho.atendimento.incidents.repository import IncidentRepository


async def live_metrics(session: AsyncSession) -> dict[str, Any]:
    """Cheap, current figures of this package for the dashboard (JSON-ready): incidents open or in
    progress per severity, emergencies nobody owns, acknowledged or operação has not received yet,
    and the open emergencies themselves, most pressing first (the dashboard shows them first)."""
    repo = IncidentRepository(session)
    counts = await repo.active_by_severity()
    by_severity = {severity.value: counts.get(severity.value, 0) for severity in Severity}
    return {
        "incidents_open_by_severity": by_severity,
        "incidents_open": sum(by_severity.values()),
        "emergencies_unowned": await repo.count_unowned_emergencies(),
        "emergencies_unacknowledged": await repo.count_emergencies(unacknowledged=True),
        "emergencies_undelivered": await repo.count_emergencies(undelivered=True),
        "emergencies": [
            {
                "incident_id": item.incident_id,
                "conversation_id": item.conversation_id,
                "category": item.category,
                "opened_at": item.opened_at.isoformat(),
                "acknowledged": item.acknowledged_at is not None,
                "assignee_id": item.assignee_id,
                "assignee_name": item.assignee_name,
                "unowned": item.assignee_id is None,
            }
            for item in await repo.open_emergencies()
        ],
    }
