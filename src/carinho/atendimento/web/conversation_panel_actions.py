"""The side panel's actions: escalate and de-escalate, triage answers, funnel moves, incidents and the
emergency banner, the contact and the proposal e-mail.

Each one calls the service the JSON API calls (with the API's own request schema checking the form),
and answers htmx with the sections it changed. A service's refusal (`CarinhoError`) goes to the HTML
error renderer, which makes it a toast; a triage answer it refuses is shown at its question instead.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionAgent, SessionSupervisor
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.escalation.schemas import DeescalateRequest, EscalateRequest
from carinho.atendimento.escalation.service import escalation_service
from carinho.atendimento.funnel.models import DocumentKind, FunnelStage, LossReason
from carinho.atendimento.funnel.schemas import DocumentRequest
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.access import can_see
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.inbox.schemas import ContactUpdate
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.emergencies import emergency_service
from carinho.atendimento.incidents.models import Incident, IncidentStatus
from carinho.atendimento.incidents.schemas import IncidentCreate
from carinho.atendimento.incidents.service import incident_service
from carinho.atendimento.triage.service import triage_service
from carinho.atendimento.web.conversation_panel_render import ConversationId, render_sections, toast_trigger
from carinho.atendimento.web.conversation_panel_triage import answer_from_form, triage_view_of
from carinho.atendimento.web.conversation_panel_views import build_panel
from carinho.atendimento.web.form_input import (
    Short,
    Text,
    funnel_move,
    incident_status,
    optional_id,
    validated,
)
from carinho.errors import BadRequest, NotFound
from carinho.kit.ui.pages import NO_STORE

router = APIRouter(include_in_schema=False)


def left_the_list(message: str) -> Response:
    """The agent no longer sees the conversation after their own action (escalated to a level they do
    not work at): back to the inbox, in place, with the reason in a toast that outlives the swap."""
    location = {"path": "/conversas", "target": "#conteudo", "select": "#conteudo", "swap": "outerHTML"}
    return Response(
        status_code=200,
        headers={
            "HX-Location": json.dumps(location),
            "HX-Trigger": toast_trigger(message, "info"),
            **NO_STORE,
        },
    )


async def _conversation(session: AsyncSession, agent: Agent, conversation_id: int) -> Conversation:
    return await inbox_service.get_for(session, agent, conversation_id, lock=True)


# ---------------------------------------------------------------------- escalation


@router.post("/conversas/{conversation_id}/escalar")
async def escalate(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    motivo: Short = "",
    nivel: Annotated[str, Form(max_length=4)] = "",
    avisar_operacao: Annotated[bool, Form()] = False,
) -> Response:
    body = validated(
        EscalateRequest,
        {
            "reason": "Informe o motivo do escalonamento (ao menos 3 caracteres).",
            "to_level": "Escolha o nível de destino.",
        },
        to_level=nivel or None,
        reason=motivo,
        notify_operacao=avisar_operacao,
    )
    conversation = await _conversation(session, agent, conversation_id)
    escalation = await escalation_service.escalate_by_agent(
        session,
        agent,
        conversation,
        to_level=body.to_level,
        reason=body.reason,
        notify_operacao=body.notify_operacao,
    )
    done = f"Conversa escalada para {escalation.to_level}."
    if not can_see(agent, conversation):
        return left_the_list(
            f"{done} Ela saiu da sua lista: agora é atendida pelo nível {escalation.to_level}."
        )
    panel = await build_panel(session, agent, conversation, {"nivel", "historico"})
    panel.focus = "nivel"
    return render_sections(request, panel, "nivel", ["historico"], toast=done)


@router.post("/conversas/{conversation_id}/desescalar")
async def deescalate(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    motivo: Short = "",
    nivel: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    body = validated(
        DeescalateRequest,
        {
            "reason": "Informe o motivo do retorno de nível (ao menos 3 caracteres).",
            "to_level": "Escolha o nível para onde a conversa volta.",
        },
        to_level=nivel,
        reason=motivo,
    )
    conversation = await _conversation(session, agent, conversation_id)
    escalation = await escalation_service.deescalate_by_agent(
        session, agent, conversation, to_level=body.to_level, reason=body.reason
    )
    done = f"Conversa devolvida ao nível {escalation.to_level}."
    if not can_see(agent, conversation):
        return left_the_list(
            f"{done} Ela saiu da sua lista: agora é atendida pelo nível {escalation.to_level}."
        )
    panel = await build_panel(session, agent, conversation, {"nivel", "historico"})
    panel.focus = "nivel"
    return render_sections(request, panel, "nivel", ["historico"], toast=done)


# ---------------------------------------------------------------------- triage


@router.post("/conversas/{conversation_id}/triagem")
async def answer_triage(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    pergunta: Annotated[str, Form(max_length=64)] = "",
    valor: Annotated[list[str] | None, Form(max_length=2_000)] = None,
) -> Response:
    """One answer (the form of one question): saved, or refused with the service's message at it."""
    conversation = await _conversation(session, agent, conversation_id)
    state = await triage_service.state(session, conversation)
    question = next((q for q in state.checklist.questions if q.code == pergunta), None)
    if question is None:
        raise BadRequest("Pergunta inexistente nesta versão do checklist: recarregue a página.")
    typed = valor or []
    try:
        async with session.begin_nested():
            state = await triage_service.answer(
                session, agent, conversation, {pergunta: answer_from_form(question.qtype, typed)}
            )
    except BadRequest as exc:
        view = triage_view_of(await triage_service.state(session, conversation))
        refused = view.question(pergunta)
        assert refused is not None
        refused.error, refused.typed = exc.message, typed
        panel = await build_panel(session, agent, conversation, ())
        panel.triage = view
        return render_sections(request, panel, "pergunta", question=refused)
    view = triage_view_of(state)
    panel = await build_panel(session, agent, conversation, {"funil", "historico"})
    panel.triage = view
    if view.completed:
        outcome = "qualificado" if view.outcome == "qualified" else "não qualificado"
        panel.focus = "triagem"
        return render_sections(
            request,
            panel,
            "triagem",
            ["funil", "historico"],
            toast=f"Triagem concluída: lead {outcome}.",
            headers={"HX-Retarget": "#painel-triagem", "HX-Reswap": "outerHTML"},
        )
    saved = view.question(pergunta)
    return render_sections(
        request, panel, "pergunta", ["triagem_progresso", "historico"], question=saved, saved=True
    )


# ---------------------------------------------------------------------- funnel


@router.post("/conversas/{conversation_id}/funil")
async def move_funnel(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    etapa: Annotated[str, Form(max_length=24)] = "",
    motivo: Annotated[str, Form(max_length=20)] = "",
    nota: Short = "",
) -> Response:
    """Moves the funnel; Perdido without a loss reason is the service's refusal (a toast)."""
    body = funnel_move(etapa, motivo, nota)
    conversation = await _conversation(session, agent, conversation_id)
    await funnel_service.move_by_agent(
        session, agent, conversation, body.stage, loss_reason_id=body.loss_reason_id, note=body.note
    )
    done = f"Etapa do funil: {body.stage.label}."
    if body.stage is FunnelStage.lost and body.loss_reason_id is not None:
        reason = await session.get(LossReason, body.loss_reason_id)
        done = f"Conversa marcada como Perdido (motivo: {reason.label if reason else '—'})."
    panel = await build_panel(session, agent, conversation, {"funil", "historico"})
    panel.focus = "funil"
    return render_sections(request, panel, "funil", ["historico"], toast=done)


# ---------------------------------------------------------------------- incidents and emergencies


@router.post("/conversas/{conversation_id}/ocorrencias")
async def register_incident(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    categoria: Annotated[str, Form(max_length=20)] = "",
    gravidade: Annotated[str, Form(max_length=16)] = "",
    titulo: Annotated[str, Form(max_length=200)] = "",
    descricao: Text = "",
) -> Response:
    body = validated(
        IncidentCreate,
        {
            "title": "Informe um título para a ocorrência.",
            "severity": "Escolha a gravidade.",
            "description": "A descrição pode ter até 10.000 caracteres.",
            "category_id": "Escolha a categoria.",
        },
        category_id=optional_id(categoria),
        title=titulo.strip(),
        description=descricao.strip() or None,
        severity=gravidade or None,
        conversation_id=conversation_id,
    )
    if body.category_id is None:
        raise BadRequest("Escolha a categoria da ocorrência.")
    conversation = await _conversation(session, agent, conversation_id)
    incident = await incident_service.create(
        session,
        agent,
        category_id=body.category_id,
        category_code=None,
        title=body.title,
        description=body.description,
        severity=body.severity,
        conversation_id=conversation.id,
    )
    done = f"Ocorrência registrada: {incident.title}."
    if incident.is_emergency:
        done = "Emergência comunicada: a operação e os supervisores foram acionados."
    if not can_see(agent, conversation):
        return left_the_list(f"{done} A conversa passou ao nível {conversation.level} e saiu da sua lista.")
    panel = await build_panel(
        session, agent, conversation, {"ocorrencias", "emergencia", "nivel", "sla", "historico"}
    )
    panel.focus = "ocorrencias"
    return render_sections(
        request, panel, "ocorrencias", ["emergencia", "nivel", "sla", "historico"], toast=done
    )


async def _incident_of(
    session: AsyncSession, agent: Agent, conversation: Conversation, incident_id: str
) -> Incident:
    number = optional_id(incident_id)
    if number is None:
        raise BadRequest("Ocorrência não informada.")
    incident = await incident_service.get_for(session, agent, number, lock=True)
    if incident.conversation_id != conversation.id:
        raise NotFound(f"Ocorrência {number} não encontrada nesta conversa.")
    return incident


@router.post("/conversas/{conversation_id}/emergencia/reconhecer")
async def acknowledge_emergency(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    ocorrencia: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Someone takes charge of the emergency: the banner goes away for everyone (POST
    /api/incidents/{id}/acknowledge's service call)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    incident = await _incident_of(session, agent, conversation, ocorrencia)
    await incident_service.acknowledge(session, agent, incident)
    panel = await build_panel(session, agent, conversation, {"emergencia", "ocorrencias", "historico"})
    return render_sections(
        request,
        panel,
        "emergencia",
        ["ocorrencias", "historico"],
        toast="Emergência reconhecida: você está cuidando do caso.",
    )


@router.post("/conversas/{conversation_id}/emergencia/reenviar")
async def redeliver_emergency(
    request: Request,
    conversation_id: ConversationId,
    supervisor: SessionSupervisor,
    session: SessionDep,
    ocorrencia: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A supervisor restarts the delivery to operação of an emergency whose attempts ran out."""
    conversation = await inbox_service.get_for(session, supervisor, conversation_id)
    incident = await _incident_of(session, supervisor, conversation, ocorrencia)
    await emergency_service.redeliver(session, supervisor, incident)
    panel = await build_panel(session, supervisor, conversation, {"emergencia", "ocorrencias", "historico"})
    return render_sections(
        request,
        panel,
        "ocorrencias",
        ["emergencia", "historico"],
        toast="Novo envio à operação solicitado.",
    )


@router.post("/conversas/{conversation_id}/ocorrencias/{incident_id}/status")
async def change_incident_status(
    request: Request,
    conversation_id: ConversationId,
    incident_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    status: Annotated[str, Form(max_length=16)] = "",
    resolucao: Text = "",
) -> Response:
    """open → in progress → resolved (a resolution is required) → closed; resolved may reopen."""
    body = incident_status(status, resolucao)
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    incident = await _incident_of(session, agent, conversation, str(incident_id))
    await incident_service.change_status(
        session, Actor.of(agent), incident, body.status, note=body.note, resolution=body.resolution
    )
    panel = await build_panel(session, agent, conversation, {"ocorrencias", "emergencia", "historico"})
    panel.focus = "ocorrencias"
    return render_sections(
        request,
        panel,
        "ocorrencias",
        ["emergencia", "historico"],
        toast=f"Ocorrência {IncidentStatus(incident.status).label.lower()}: {incident.title}.",
    )


# ---------------------------------------------------------------------- contact and proposal


@router.post("/conversas/{conversation_id}/contato")
async def update_contact(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    nome: Annotated[str, Form(max_length=160)] = "",
    email: Annotated[str, Form(max_length=190)] = "",
) -> Response:
    body = validated(
        ContactUpdate,
        {"name": "O nome do contato não pode ficar vazio.", "email": "Informe um e-mail válido."},
        name=nome.strip(),
        email=email.strip() or None,
    )
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    await inbox_service.update_contact(
        session, agent, conversation, name=body.name, email=str(body.email) if body.email else ""
    )
    panel = await build_panel(session, agent, conversation, {"contato", "historico"})
    panel.focus = "contato"
    response = render_sections(request, panel, "contato", ["historico"])
    # The name shows in the conversation's header and list too: everything of it refreshes.
    response.headers["HX-Trigger"] = json.dumps(
        {
            "carinho-toast": {"message": "Contato atualizado.", "tone": "success"},
            f"carinho-live-{conversation.id}": {"kinds": ["conversation"]},
        },
        ensure_ascii=True,
    )
    return response


@router.post("/conversas/{conversation_id}/proposta")
async def send_proposal(
    request: Request,
    conversation_id: ConversationId,
    agent: SessionAgent,
    session: SessionDep,
    email: Annotated[str, Form(max_length=190)] = "",
    assunto: Annotated[str, Form(max_length=200)] = "",
    mensagem: Text = "",
    link: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    """The proposal by e-mail (POST /api/conversations/{id}/documents with kind=proposal)."""
    body = validated(
        DocumentRequest,
        {
            "email": "Informe um e-mail válido para enviar a proposta.",
            "subject": "Informe o assunto do e-mail.",
            "body": "Escreva a mensagem do e-mail.",
            "document_url": "O link da proposta deve ser um endereço http(s) completo.",
        },
        kind=DocumentKind.proposal,
        email=email.strip() or None,
        subject=assunto.strip(),
        body=mensagem.strip(),
        document_url=link.strip() or None,
    )
    conversation = await _conversation(session, agent, conversation_id)
    dispatch = await funnel_service.send_document(
        session,
        agent,
        conversation,
        kind=body.kind,
        email=str(body.email) if body.email else None,
        subject=body.subject,
        body=body.body,
        document_url=str(body.document_url) if body.document_url else None,
    )
    panel = await build_panel(session, agent, conversation, {"contato", "funil", "historico"})
    panel.focus = "contato"
    return render_sections(
        request,
        panel,
        "contato",
        ["funil", "historico"],
        toast=f"Proposta a caminho de {dispatch.email}.",
    )
