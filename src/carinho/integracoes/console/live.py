"""`GET /painel/ao-vivo`: the console's live updates as server-sent events (kit/live_signal.py).

One signal per app fingerprints the hub's state every second (`OpsRepository.state_fingerprint`);
every open console page gets `event: change` when it moved, and the overview, the event list, the
DLQ and the syncs refresh themselves (`hx-trigger="carinho-live from:body"`, throttled), keeping a
slow poll for what moves with time alone (a lane's oldest wait)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse

from carinho.integracoes.console.auth import ConsoleViewer
from carinho.integracoes.console.pages import HOME_URL
from carinho.integracoes.ops.repository import OpsRepository
from carinho.kit.live_signal import PolledSignal, change_events
from carinho.runtime import Runtime

router = APIRouter(include_in_schema=False)

LIVE_URL = f"{HOME_URL}/ao-vivo"

# A live list's first page is its "recent block": every matching row from the page's last one on,
# drawn again on each change (new rows on top, statuses in place); "Carregar mais" appends older ones.
RECENT_MAX = 200  # the block's rows at most (beyond: "reload to see them all")


def recent_start(items: Sequence[Any], has_more: bool) -> int:
    """The id the recent block starts at (`desde`): the first page's last row, or 0 for all."""
    return items[-1].id if has_more and items else 0


def recent_after(desde: int) -> int | None:
    """The `after_id` that reads the block again from `desde` on (its row included)."""
    return max(desde - 1, 0) or None


def hub_signal(rt: Runtime, interval: float = 1.0) -> PolledSignal:
    async def fingerprint() -> Hashable:
        async with rt.db("integracoes").read_session() as session:
            return await OpsRepository(session).state_fingerprint()

    return PolledSignal(fingerprint, interval=interval)


def signal_for(app: FastAPI) -> PolledSignal:
    signal: PolledSignal | None = getattr(app.state, "console_signal", None)
    if signal is None:
        signal = hub_signal(app.state.runtime)
        app.state.console_signal = signal
    return signal


@router.get(LIVE_URL)
async def live(request: Request, operator: ConsoleViewer) -> StreamingResponse:
    return StreamingResponse(
        change_events(signal_for(request.app)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
