"""The satisfaction part of the live metrics (composed by carinho.atendimento.metrics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.satisfaction.reports import report_service
from carinho.kit.clock import utcnow


async def live_metrics(session: AsyncSession) -> dict[str, Any]:
    """NPS of the answers received in the last 30 days (one indexed aggregate over answered_at)."""
    return await report_service.last_30_days(session, utcnow())
