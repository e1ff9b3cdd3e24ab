"""Reading the audit trail. There is deliberately no route that edits or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.schemas import HistoryEntryOut
from carinho.atendimento.history.service import history_service
from carinho.atendimento.inbox.service import inbox_service
from carinho.kit.db import INT_MAX
from carinho.kit.ids import Id, QueryId

router = APIRouter(prefix="/api", tags=["histórico"])


@router.get("/conversations/{conversation_id}/history", response_model=list[HistoryEntryOut])
async def conversation_history(
    conversation_id: Id, agent: CurrentAgent, session: SessionDep
) -> list[HistoryEntryOut]:
    await inbox_service.get_for(session, agent, conversation_id)
    return [
        HistoryEntryOut.model_validate(e)
        for e in await history_service.for_conversation(session, conversation_id)
    ]


@router.get("/history", response_model=list[HistoryEntryOut])
async def search_history(
    supervisor: SupervisorAgent,
    session: SessionDep,
    conversation_id: QueryId = None,
    action: Annotated[str | None, Query(max_length=48, examples=["agent.deactivated"])] = None,
    category: Annotated[
        str | None,
        Query(
            max_length=32,
            pattern=r"^[a-z_]+$",
            description="Grupo de ações: auth, agent, template, automation, working_hours, sla, privacy, "
            "escalation, conversation, message…",
            examples=["agent"],
        ),
    ] = None,
    system_only: Annotated[
        bool, Query(description="Só ações sobre o sistema (sem conversa): logins, contas, configurações.")
    ] = False,
    actor_type: str | None = None,
    actor_id: QueryId = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[HistoryEntryOut]:
    """Busca global no histórico de ações (supervisores): conversas e ações das pessoas no sistema."""
    entries = await history_service.search(
        session,
        conversation_id=conversation_id,
        action=action,
        category=category,
        system_only=system_only,
        actor_type=actor_type,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return [HistoryEntryOut.model_validate(e) for e in entries]
