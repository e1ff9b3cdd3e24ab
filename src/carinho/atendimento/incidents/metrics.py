"""The incidents part of the live metrics (composed by carinho.atendimento.metrics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def live_metrics(session: AsyncSession) -> dict[str, Any]:
    """Cheap, current figures of this package for the dashboard (JSON-ready)."""
    return {}
