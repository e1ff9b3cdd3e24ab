from __future__ import annotations

from fastapi import APIRouter

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.templates.rendering import CATEGORIES, VARIABLES
from carinho.atendimento.templates.schemas import (
    TemplateCatalogue,
    TemplateCreate,
    TemplateOut,
    TemplatePreview,
    TemplateUpdate,
)
from carinho.atendimento.templates.service import template_service
from carinho.kit.ids import Id, QueryId

router = APIRouter(prefix="/api/templates", tags=["modelos de mensagem"])


@router.get("", response_model=list[TemplateOut])
async def list_templates(
    agent: CurrentAgent, session: SessionDep, category: str | None = None, active: bool | None = None
) -> list[TemplateOut]:
    return [
        TemplateOut.model_validate(t)
        for t in await template_service.list(session, category=category, active=active)
    ]


@router.get("/catalogue", response_model=TemplateCatalogue)
async def catalogue(agent: CurrentAgent) -> TemplateCatalogue:
    """Variáveis disponíveis ({{nome_contato}} …) e categorias."""
    return TemplateCatalogue(variables=VARIABLES, categories=CATEGORIES)


@router.post("", response_model=TemplateOut, status_code=201)
async def create_template(
    body: TemplateCreate, supervisor: SupervisorAgent, session: SessionDep
) -> TemplateOut:
    return TemplateOut.model_validate(
        await template_service.create(session, **body.model_dump(), actor=Actor.of(supervisor))
    )


@router.patch("/{template_id}", response_model=TemplateOut)
async def update_template(
    template_id: Id, body: TemplateUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> TemplateOut:
    template = await template_service.get(session, template_id)
    return TemplateOut.model_validate(
        await template_service.update(
            session, template, **body.model_dump(exclude_unset=True), actor=Actor.of(supervisor)
        )
    )


@router.get("/{template_id}/preview", response_model=TemplatePreview)
async def preview(
    template_id: Id, agent: CurrentAgent, session: SessionDep, conversation_id: QueryId = None
) -> TemplatePreview:
    """O texto como o cliente o receberia (para uma conversa, ou com valores de exemplo)."""
    template = await template_service.get(session, template_id)
    contact_name = "Maria da Silva"
    if conversation_id is not None:
        conversation = await inbox_service.get_for(session, agent, conversation_id)
        contact_name = conversation.contact.name or ""
    values = await template_service.variables_for(
        session, contact_name=contact_name, agent_name=agent.name, conversation_id=conversation_id
    )
    return TemplatePreview(text=template_service.render(template, values))
