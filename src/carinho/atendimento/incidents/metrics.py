"""The incidents part of the live metrics (composed by carinho.atendimento.metrics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents.models import Severity
from carinho.atendimento.incidents.repository import IncidentRepository


async def live_metrics(session: AsyncSession) -> dict[str, Any]:
    """Cheap, current figures of this package for the dashboard (JSON-ready): incidents open or in
    progress per severity, and emergencies nobody acknowledged or operação has not received yet."""
    repo = IncidentRepository(session)
    counts = await repo.active_by_severity()
    by_severity = {severity.value: counts.get(severity.value, 0) for severity in Severity}
    return {
        "incidents_open_by_severity": by_severity,
        "incidents_open": sum(by_severity.values()),
        "emergencies_unacknowledged": await repo.count_emergencies(unacknowledged=True),
        "emergencies_undelivered": await repo.count_emergencies(undelivered=True),
    }
