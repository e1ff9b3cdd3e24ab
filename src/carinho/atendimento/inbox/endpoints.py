"""The inbox JSON API: conversations, messages, notes, assignment, labels, alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.access import ensure_can_see
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import ConversationStatus, Priority
from carinho.atendimento.inbox.outbound import outbound_service
from carinho.atendimento.inbox.repository import ConversationFilters, InboxRepository
from carinho.atendimento.inbox.schemas import (
    AlertOut,
    AssignRequest,
    AttachmentRequest,
    ContactOut,
    ContactUpdate,
    ConversationOut,
    ConversationUpdate,
    LabelRequest,
    MessageOut,
    NoteRequest,
    ReplyRequest,
    TemplateSendRequest,
    TransferRequest,
)
from carinho.atendimento.inbox.service import inbox_service
from carinho.errors import NotFound, ValidationFailed
from carinho.kit.db import INT_MAX
from carinho.kit.ids import Id, QueryId

router = APIRouter(prefix="/api/conversations", tags=["conversas"])
alerts_router = APIRouter(prefix="/api/alerts", tags=["alertas"])
messages_router = APIRouter(prefix="/api/messages", tags=["conversas"])


@router.get("", response_model=list[ConversationOut])
async def search_conversations(
    agent: CurrentAgent,
    session: SessionDep,
    status: Annotated[list[ConversationStatus] | None, Query()] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    level: str | None = None,
    assignee_id: QueryId = None,
    unassigned: bool | None = None,
    label_id: QueryId = None,
    funnel_stage: FunnelStage | None = None,
    text: Annotated[str | None, Query(max_length=200, description="Texto nas mensagens")] = None,
    contact: Annotated[str | None, Query(max_length=160, description="Telefone ou nome do contato")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[ConversationOut]:
    """Busca e filtros. Um atendente vê só as suas conversas e as sem responsável do seu nível."""
    filters = ConversationFilters(
        status=[s.value for s in status] if status else None,
        priority=[p.value for p in priority] if priority else None,
        level=level,
        assignee_id=assignee_id,
        unassigned=unassigned,
        label_id=label_id,
        funnel_stage=funnel_stage.value if funnel_stage else None,
        text=text,
        contact=contact,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return [ConversationOut.of(c) for c in await inbox_service.search(session, agent, filters)]


@router.get("/{conversation_id}", response_model=ConversationOut)
async def get_conversation(conversation_id: Id, agent: CurrentAgent, session: SessionDep) -> ConversationOut:
    return ConversationOut.of(await inbox_service.get_for(session, agent, conversation_id))


@router.patch("/{conversation_id}", response_model=ConversationOut)
async def update_conversation(
    conversation_id: Id, body: ConversationUpdate, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    """Status e prioridade. O nível muda por /escalate e /deescalate (com motivo)."""
    if "level" in body.model_fields_set:
        raise ValidationFailed(
            "O nível da conversa não muda por aqui: use POST "
            f"/api/conversations/{conversation_id}/escalate ou /deescalate, informando o motivo.",
            details=[
                {"field": "level", "message": "use /escalate ou /deescalate", "type": "level_by_escalation"}
            ],
        )
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    actor = Actor.of(agent)
    if body.priority is not None:
        await inbox_service.change_priority(session, conversation, body.priority, actor)
    if body.status is not None:
        await inbox_service.change_status(session, conversation, body.status, actor)
    return ConversationOut.of(conversation)


@router.post("/{conversation_id}/assign", response_model=ConversationOut)
async def assign_conversation(
    conversation_id: Id, body: AssignRequest, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    return ConversationOut.of(await inbox_service.assign(session, agent, conversation, body.agent_id))


@router.post("/{conversation_id}/auto-assign", response_model=ConversationOut)
async def auto_assign_conversation(
    conversation_id: Id, supervisor: SupervisorAgent, session: SessionDep
) -> ConversationOut:
    """Distribui pelo rodízio entre atendentes disponíveis do nível, dentro da capacidade."""
    conversation = await inbox_service.get_for(session, supervisor, conversation_id, lock=True)
    await inbox_service.auto_assign(session, conversation, Actor.of(supervisor))
    return ConversationOut.of(conversation)


@router.post("/{conversation_id}/transfer", response_model=ConversationOut)
async def transfer_conversation(
    conversation_id: Id, body: TransferRequest, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    return ConversationOut.of(
        await inbox_service.transfer(session, agent, conversation, body.agent_id, body.note)
    )


@router.post("/{conversation_id}/labels", response_model=ConversationOut)
async def add_label(
    conversation_id: Id, body: LabelRequest, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return ConversationOut.of(
        await inbox_service.add_label(session, conversation, body.label_id, Actor.of(agent))
    )


@router.delete("/{conversation_id}/labels/{label_id}", response_model=ConversationOut)
async def remove_label(
    conversation_id: Id, label_id: Id, agent: CurrentAgent, session: SessionDep
) -> ConversationOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return ConversationOut.of(
        await inbox_service.remove_label(session, conversation, label_id, Actor.of(agent))
    )


@router.patch("/{conversation_id}/contact", response_model=ContactOut)
async def update_contact(
    conversation_id: Id, body: ContactUpdate, agent: CurrentAgent, session: SessionDep
) -> ContactOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    contact = await inbox_service.update_contact(
        session, agent, conversation, name=body.name, email=str(body.email) if body.email else None
    )
    return ContactOut.model_validate(contact)


@router.get("/{conversation_id}/messages", response_model=list[MessageOut])
async def list_messages(conversation_id: Id, agent: CurrentAgent, session: SessionDep) -> list[MessageOut]:
    """Mensagens nos dois sentidos e notas internas, em ordem."""
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [MessageOut.model_validate(m) for m in await inbox_service.messages(session, conversation)]


@router.post("/{conversation_id}/messages", response_model=MessageOut, status_code=202)
async def reply(
    conversation_id: Id, body: ReplyRequest, agent: CurrentAgent, session: SessionDep
) -> MessageOut:
    """Responde pelo WhatsApp: a mensagem entra na fila de envio (status queued)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    return MessageOut.model_validate(await outbound_service.reply(session, agent, conversation, body.text))


@router.post("/{conversation_id}/messages/template", response_model=MessageOut, status_code=202)
async def send_template(
    conversation_id: Id, body: TemplateSendRequest, agent: CurrentAgent, session: SessionDep
) -> MessageOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    return MessageOut.model_validate(
        await outbound_service.send_template(session, agent, conversation, body.template_id)
    )


@router.post("/{conversation_id}/messages/attachment", response_model=MessageOut, status_code=202)
async def send_attachment(
    conversation_id: Id, body: AttachmentRequest, agent: CurrentAgent, session: SessionDep
) -> MessageOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    message = await outbound_service.send_attachment(
        session,
        agent,
        conversation,
        url=str(body.url),
        kind=body.kind,
        caption=body.caption,
        file_name=body.file_name,
        mime_type=body.mime_type,
        size=body.size,
    )
    return MessageOut.model_validate(message)


@router.post("/{conversation_id}/notes", response_model=MessageOut, status_code=201)
async def add_note(
    conversation_id: Id, body: NoteRequest, agent: CurrentAgent, session: SessionDep
) -> MessageOut:
    """Nota interna: visível só para a equipe, nunca enviada ao cliente."""
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return MessageOut.model_validate(await outbound_service.add_note(session, agent, conversation, body.text))


@messages_router.post("/{message_id}/retry", response_model=MessageOut, status_code=202)
async def retry_message(message_id: Id, agent: CurrentAgent, session: SessionDep) -> MessageOut:
    """Reenvia uma mensagem com falha (confira antes no WhatsApp se ela não chegou)."""
    message = await InboxRepository(session).message(message_id)
    if message is None:
        raise NotFound("Mensagem não encontrada.")
    conversation = await inbox_service.get_for(session, agent, message.conversation_id)
    ensure_can_see(agent, conversation)
    return MessageOut.model_validate(await outbound_service.retry(session, agent, conversation, message))


@messages_router.get("/failed", response_model=list[MessageOut])
async def failed_messages(supervisor: SupervisorAgent, session: SessionDep) -> list[MessageOut]:
    """Mensagens que não puderam ser enviadas (a fila de mensagens mortas do atendimento)."""
    return [MessageOut.model_validate(m) for m in await InboxRepository(session).failed_messages()]


@alerts_router.get("", response_model=list[AlertOut])
async def list_alerts(
    supervisor: SupervisorAgent, session: SessionDep, include_acknowledged: bool = False
) -> list[AlertOut]:
    return [
        AlertOut.model_validate(a)
        for a in await alert_service.list(session, open_only=not include_acknowledged)
    ]


@alerts_router.post("/{alert_id}/acknowledge", response_model=AlertOut)
async def acknowledge_alert(alert_id: Id, supervisor: SupervisorAgent, session: SessionDep) -> AlertOut:
    return AlertOut.model_validate(await alert_service.acknowledge(session, supervisor, alert_id))
