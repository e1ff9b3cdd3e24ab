"""The conversation view: the whole workspace page for one conversation, its header and thread as
htmx fragments (live refresh), and the header's actions (take, transfer, assign, priority, labels,
resolve / reopen). Sending (the composer) is in `conversation_composer.py`.

Every action calls the same service method as the JSON API (inbox/endpoints.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.models import ConversationStatus, Priority
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web import conversation_composer
from carinho.atendimento.web.conversation_fragments import (
    TEMPLATE_DIR,
    labels,
    render_header,
    render_thread,
    toast,
)
from carinho.atendimento.web.conversation_panel import panel_context
from carinho.atendimento.web.conversation_view import (
    active_agents,
    load_header,
    load_thread,
    previous_conversations,
    quick_templates,
)
from carinho.atendimento.web.inbox import list_pane_context
from carinho.atendimento.web.pages import pages
from carinho.errors import BadRequest, Forbidden
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)
router.include_router(conversation_composer.router)


@router.get("/conversas/{conversation_id}")
async def conversation_page(
    conversation_id: Id, request: Request, session: SessionDep, agent: SessionAgent
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    context: dict[str, Any] = {}
    context.update(await panel_context(session, agent, conversation))
    context.update(await list_pane_context(request, session, agent, current_id=conversation.id))
    context.update(
        conversation=conversation,
        thread=await load_thread(session, conversation),
        header=await load_header(session, agent, conversation),
        templates=await quick_templates(session, agent, conversation),
        transfer_agents=await active_agents(session),
        previous=await previous_conversations(session, agent, conversation),
        **labels(),
    )
    name = conversation.contact.name or "Conversa"
    return pages.render(request, f"{TEMPLATE_DIR}/page.html", active="conversas", title=name, **context)


# ---------------------------------------------------------------------- fragments (live refresh)


@router.get("/conversas/{conversation_id}/mensagens")
async def thread_fragment(
    conversation_id: Id, request: Request, session: SessionDep, agent: SessionAgent, completo: bool = False
) -> Response:
    """The thread for the live refresh; `?completo=1` is the whole history (older messages shown)."""
    try:
        conversation = await inbox_service.get_for(session, agent, conversation_id)
    except Forbidden as exc:
        # Taken by someone else while open: say so in place (and stop refreshing), not a toast a second.
        return pages.render(
            request, f"{TEMPLATE_DIR}/lost_access.html", message=exc.message, conversation_id=conversation_id
        )
    return await render_thread(request, session, conversation, complete=completo)


@router.get("/conversas/{conversation_id}/cabecalho")
async def header_fragment(
    conversation_id: Id, request: Request, session: SessionDep, agent: SessionAgent
) -> Response:
    try:
        conversation = await inbox_service.get_for(session, agent, conversation_id)
    except Forbidden:
        return Response(status_code=204)  # the thread says why
    return await render_header(request, session, agent, conversation)


# ---------------------------------------------------------------------- header actions


@router.post("/conversas/{conversation_id}/assumir")
async def take(conversation_id: Id, request: Request, session: SessionDep, agent: SessionAgent) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await inbox_service.assign(session, agent, conversation, agent.id)
    return await render_header(request, session, agent, conversation, headers=toast("Conversa assumida."))


@router.post("/conversas/{conversation_id}/liberar")
async def release(
    conversation_id: Id, request: Request, session: SessionDep, agent: SessionAgent
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await inbox_service.assign(session, agent, conversation, None)
    return await render_header(
        request, session, agent, conversation, headers=toast("Conversa devolvida à fila.")
    )


@router.post("/conversas/{conversation_id}/transferir")
async def transfer(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    agent_id: Annotated[int, Form()],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await inbox_service.transfer(session, agent, conversation, agent_id, note.strip() or None)
    target = conversation.assignee.name if conversation.assignee else ""
    return await render_header(
        request, session, agent, conversation, headers=toast(f"Conversa transferida para {target}.")
    )


@router.post("/conversas/{conversation_id}/atribuir")
async def assign(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    agent_id: Annotated[str, Form()] = "",
) -> Response:
    """A supervisor picks the assignee (or nobody); the service refuses it to an attendant."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    target = _optional_int(agent_id, "Atendente inválido.")
    await inbox_service.assign(session, agent, conversation, target)
    who = conversation.assignee.name if conversation.assignee else "ninguém"
    return await render_header(request, session, agent, conversation, headers=toast(f"Atribuída a {who}."))


@router.post("/conversas/{conversation_id}/prioridade")
async def change_priority(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    priority: Annotated[Priority, Form()],
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await inbox_service.change_priority(session, conversation, priority, Actor.of(agent))
    return await render_header(
        request, session, agent, conversation, headers=toast(f"Prioridade: {priority.label}.")
    )


@router.post("/conversas/{conversation_id}/status")
async def change_status(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    status: Annotated[ConversationStatus, Form()],
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await inbox_service.change_status(session, conversation, status, Actor.of(agent))
    done = {
        ConversationStatus.resolved: "Conversa resolvida.",
        ConversationStatus.open: "Conversa reaberta.",
    }.get(status, f"Status: {status.label}.")
    return await render_header(request, session, agent, conversation, with_thread=True, headers=toast(done))


@router.post("/conversas/{conversation_id}/etiquetas")
async def add_label(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    label_id: Annotated[int, Form()],
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    await inbox_service.add_label(session, conversation, label_id, Actor.of(agent))
    return await render_header(request, session, agent, conversation)


@router.post("/conversas/{conversation_id}/etiquetas/{label_id}/remover")
async def remove_label(
    conversation_id: Id, label_id: Id, request: Request, session: SessionDep, agent: SessionAgent
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    await inbox_service.remove_label(session, conversation, label_id, Actor.of(agent))
    return await render_header(request, session, agent, conversation)


def _optional_int(value: str, message: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(message) from None
