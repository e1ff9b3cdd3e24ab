"""`GET /ao-vivo`: the live change feed of the inbox as server-sent events (format in stream.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from carinho.atendimento.agents.auth import CurrentAgent
from carinho.atendimento.live.feed import feed_for
from carinho.atendimento.live.stream import events
from carinho.kit.db import BIGINT_MAX

router = APIRouter(tags=["ao vivo"])


def _last_event_id(value: str | None) -> int | None:
    """The id a reconnecting browser saw last; anything unreadable resumes nothing (-1: resync)."""
    if value is None or value == "":
        return None
    try:
        parsed = int(value)
    except ValueError:
        return -1
    return parsed if 0 <= parsed <= BIGINT_MAX else -1


@router.get(
    "/ao-vivo",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Eventos `change` (conversas alteradas) e `resync` (recarregue tudo).",
        }
    },
)
async def live_changes(
    request: Request,
    agent: CurrentAgent,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="Último id recebido (o navegador o envia sozinho ao reconectar).",
        ),
    ] = None,
) -> StreamingResponse:
    """Quais conversas mudaram, ao vivo (server-sent events): uma mensagem nova, uma conversa nova,
    uma atribuição, um status de entrega, uma mudança de SLA. Só os ids das conversas que o
    atendente pode ver; a página busca o conteúdo pelos endpoints de sempre."""
    return StreamingResponse(
        events(feed_for(request.app), agent, _last_event_id(last_event_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
