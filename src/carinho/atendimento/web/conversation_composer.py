"""The composer's actions: reply or internal note, a template, an attachment, re-sending a failed
message. Each answers with the thread (the new message shows at once as "Enviando"; its ticks then
move with the live updates) and calls the same service as the JSON API."""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.models import MessageKind
from carinho.atendimento.inbox.outbound import ATTACHMENT_KINDS, outbound_service
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web.conversation_fragments import render_thread, toast
from carinho.errors import BadRequest, NotFound
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

MODES = {"resposta", "nota"}


@router.post("/conversas/{conversation_id}/responder")
async def reply(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    texto: Annotated[str, Form(max_length=4096)] = "",
    modo: Annotated[str, Form()] = "resposta",
) -> Response:
    """Enter in the composer: a WhatsApp reply, or (mode "nota") an internal note."""
    if modo not in MODES:
        raise BadRequest("Escolha entre responder ao cliente e nota interna.")
    if modo == "nota":
        conversation = await inbox_service.get_for(session, agent, conversation_id)
        await outbound_service.add_note(session, agent, conversation, texto)
    else:
        conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
        await outbound_service.reply(session, agent, conversation, texto)
    return await render_thread(request, session, conversation)


@router.post("/conversas/{conversation_id}/modelo")
async def send_template(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    template_id: Annotated[int, Form()],
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await outbound_service.send_template(session, agent, conversation, template_id)
    return await render_thread(request, session, conversation, headers=toast("Modelo enviado."))


KIND_CHOICES = {
    "imagem": MessageKind.image,
    "documento": MessageKind.document,
    "audio": MessageKind.audio,
    "video": MessageKind.video,
}
assert set(KIND_CHOICES.values()) == ATTACHMENT_KINDS


@router.post("/conversas/{conversation_id}/anexo")
async def send_attachment(
    conversation_id: Id,
    request: Request,
    session: SessionDep,
    agent: SessionAgent,
    url: Annotated[str, Form(max_length=2000)],
    tipo: Annotated[str, Form()] = "documento",
    legenda: Annotated[str, Form(max_length=1024)] = "",
    nome_arquivo: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    kind = KIND_CHOICES.get(tipo)
    if kind is None:
        raise BadRequest("Tipo de anexo inválido: escolha imagem, documento, áudio ou vídeo.")
    url = url.strip()
    file_name = nome_arquivo.strip() or None
    mime_type, _ = mimetypes.guess_type(file_name or url.split("?", 1)[0])
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    await outbound_service.send_attachment(
        session,
        agent,
        conversation,
        url=url,
        kind=kind,
        caption=legenda.strip() or None,
        file_name=file_name,
        mime_type=mime_type,
        size=None,
    )
    return await render_thread(request, session, conversation, headers=toast("Anexo na fila de envio."))


@router.post("/conversas/{conversation_id}/mensagens/{message_id}/reenviar")
async def retry(
    conversation_id: Id, message_id: Id, request: Request, session: SessionDep, agent: SessionAgent
) -> Response:
    """The "Reenviar" of a failed message: the same as POST /api/messages/{id}/retry."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    message = await InboxRepository(session).message(message_id)
    if message is None or message.conversation_id != conversation.id:
        raise NotFound("Mensagem não encontrada.")
    await outbound_service.retry(session, agent, conversation, message)
    return await render_thread(request, session, conversation, headers=toast("Mensagem na fila de novo."))
