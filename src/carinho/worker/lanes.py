"""Lanes are Dramatiq queues with their own worker pools, so critical work never waits behind batch."""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    # integracoes (seed "Filas por Prioridade")
    integrations_high = "integrations-high"
    integrations = "integrations"
    notifications = "notifications"
    integrations_low = "integrations-low"
    integrations_retry = "integrations-retry"
    # atendimento
    atendimento_high = "atendimento-high"
    atendimento = "atendimento"
    atendimento_low = "atendimento-low"


# Threads per lane in one worker process (the seed's upper bounds: high 2-5, default 3-10,
# notifications 2, low 1, retry 1). Override with LANE_CONCURRENCY="integrations=4,...".
DEFAULT_CONCURRENCY: dict[Lane, int] = {
    Lane.integrations_high: 5,
    Lane.integrations: 10,
    Lane.notifications: 2,
    Lane.integrations_low: 1,
    Lane.integrations_retry: 1,
    Lane.atendimento_high: 3,
    Lane.atendimento: 4,
    Lane.atendimento_low: 1,
}


def lane_concurrency(overrides: dict[str, int]) -> dict[Lane, int]:
    unknown = set(overrides) - {lane.value for lane in Lane}
    if unknown:
        raise ValueError(f"unknown lanes: {', '.join(sorted(unknown))}")
    return {lane: overrides.get(lane.value, n) for lane, n in DEFAULT_CONCURRENCY.items()}


def parse_lanes(value: str | None) -> list[Lane]:
    if not value:
        return list(Lane)
    names = [v.strip() for v in value.split(",") if v.strip()]
    try:
        return [Lane(name) for name in names]
    except ValueError as exc:
        valid = ", ".join(lane.value for lane in Lane)
        raise ValueError(f"{exc}; valid lanes: {valid}") from None


def lane_context(lane: Lane | str) -> str:
    """The bounded context whose database holds a lane's outbox rows."""
    return "atendimento" if str(Lane(lane).value).startswith("atendimento") else "integracoes"
