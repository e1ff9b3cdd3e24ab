"""Live metrics for the dashboard: a JSON snapshot and the same snapshot as server-sent events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from carinho.atendimento.agents.auth import CurrentAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.metrics.schemas import LiveMetrics
from carinho.atendimento.metrics.service import metrics_service
from carinho.atendimento.metrics.stream import events, feed_for

router = APIRouter(prefix="/api/metrics", tags=["métricas"])


@router.get("/live", response_model=LiveMetrics)
async def live(agent: CurrentAgent, session: SessionDep) -> LiveMetrics:
    """Indicadores ao vivo do atendimento (supervisores veem a carga de cada atendente; um
    atendente vê os totais e só a própria linha)."""
    return metrics_service.view_for(agent, await metrics_service.snapshot(session))


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Eventos `metrics`."}},
)
async def stream(
    request: Request,
    agent: CurrentAgent,
    interval: Annotated[
        float, Query(ge=0.5, le=300, description="Segundos entre dois retratos (padrão 5).")
    ] = 5.0,
) -> StreamingResponse:
    """Os mesmos indicadores de /live como server-sent events: um retrato na conexão e outro a
    cada `interval` segundos, com comentários de heartbeat nos intervalos longos."""
    return StreamingResponse(
        events(feed_for(request.app), agent, interval),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
