"""The incidents JSON API: categories, incidents, their status, notes and timeline, emergencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.emergencies import emergency_service
from carinho.atendimento.incidents.models import IncidentStatus, Severity
from carinho.atendimento.incidents.repository import IncidentFilters
from carinho.atendimento.incidents.schemas import (
    BannerItem,
    BannerOut,
    CategoryCreate,
    CategoryOut,
    CategoryUpdate,
    EmergencyRequest,
    IncidentCreate,
    IncidentDetailOut,
    IncidentOut,
    IncidentPage,
    IncidentUpdate,
    NoteCreate,
    StatusChange,
    TimelineEntryOut,
)
from carinho.atendimento.incidents.service import incident_service
from carinho.kit.ids import ID_MAX
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api", tags=["ocorrências"])

IncidentId = Annotated[int, Path(ge=1, le=ID_MAX, description="Id da ocorrência")]
CategoryId = Annotated[int, Path(ge=1, le=ID_MAX, description="Id da categoria")]
ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="Id da conversa")]


# ---------------------------------------------------------------------- categories


@router.get("/incidents/categories", response_model=list[CategoryOut])
async def list_categories(
    agent: CurrentAgent, session: SessionDep, include_inactive: bool = False
) -> list[CategoryOut]:
    """Categorias de ocorrência com a gravidade padrão (as desativadas só com include_inactive)."""
    categories = await incident_service.categories(session, active=None if include_inactive else True)
    return [CategoryOut.model_validate(c) for c in categories]


@router.post("/incidents/categories", response_model=CategoryOut, status_code=201)
async def create_category(
    body: CategoryCreate, supervisor: SupervisorAgent, session: SessionDep
) -> CategoryOut:
    category = await incident_service.create_category(
        session,
        code=body.code,
        name=body.name,
        default_severity=body.default_severity,
        is_emergency=body.is_emergency,
        operacao_category=body.operacao_category,
        position=body.position,
    )
    return CategoryOut.model_validate(category)


@router.patch("/incidents/categories/{category_id}", response_model=CategoryOut)
async def update_category(
    category_id: CategoryId, body: CategoryUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> CategoryOut:
    category = await incident_service.update_category(
        session, category_id, body.model_dump(exclude_none=True)
    )
    return CategoryOut.model_validate(category)


@router.delete("/incidents/categories/{category_id}", status_code=204)
async def delete_category(
    category_id: CategoryId, supervisor: SupervisorAgent, session: SessionDep
) -> Response:
    """Exclui uma categoria sem ocorrências (as usadas só podem ser desativadas)."""
    await incident_service.delete_category(session, category_id)
    return Response(status_code=204)


# ---------------------------------------------------------------------- incidents


@router.post(
    "/incidents",
    response_model=IncidentOut,
    status_code=201,
    responses=documented({404: "A categoria ou a conversa informada não existe"}),
)
async def create_incident(body: IncidentCreate, agent: CurrentAgent, session: SessionDep) -> IncidentOut:
    """Abre uma ocorrência. Em categoria de emergência (com conversa), segue o fluxo de emergência."""
    incident = await incident_service.create(
        session,
        agent,
        category_id=body.category_id,
        category_code=body.category_code,
        title=body.title,
        description=body.description,
        severity=body.severity,
        owner_id=body.owner_id,
        conversation_id=body.conversation_id,
        contact_id=body.contact_id,
        crm_client_id=body.crm_client_id,
        caregiver_id=body.caregiver_id,
        service_id=body.service_id,
    )
    return IncidentOut.of(incident)


@router.get("/incidents", response_model=IncidentPage)
async def list_incidents(
    agent: CurrentAgent,
    session: SessionDep,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    category: Annotated[
        str | None, Query(max_length=48, pattern=r"^[a-z0-9_]+$", description="Código da categoria")
    ] = None,
    owner_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    conversation_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    is_emergency: bool | None = None,
    cursor: Annotated[
        str | None, Query(max_length=18, pattern=r"^[0-9]{1,18}$", description="next_cursor")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> IncidentPage:
    """Ocorrências, das mais novas às mais antigas. Um atendente vê as suas e as das conversas que
    ele pode ver."""
    filters = IncidentFilters(
        status=[s.value for s in status] if status else None,
        severity=[s.value for s in severity] if severity else None,
        category_code=category,
        owner_id=owner_id,
        conversation_id=conversation_id,
        is_emergency=is_emergency,
        before_id=int(cursor) if cursor else None,
        limit=limit + 1,
    )
    found = list(await incident_service.search(session, agent, filters))
    items = found[:limit]
    next_cursor = str(items[-1].id) if len(found) > limit else None
    return IncidentPage(items=[IncidentOut.of(i) for i in items], next_cursor=next_cursor)


@router.get("/incidents/{incident_id}", response_model=IncidentDetailOut)
async def get_incident(
    incident_id: IncidentId, agent: CurrentAgent, session: SessionDep
) -> IncidentDetailOut:
    """A ocorrência com a linha do tempo de ações."""
    incident = await incident_service.get_for(session, agent, incident_id)
    timeline = [TimelineEntryOut.of(e) for e in await incident_service.timeline(session, incident)]
    return IncidentDetailOut(**IncidentOut.of(incident).model_dump(), timeline=timeline)


@router.patch("/incidents/{incident_id}", response_model=IncidentOut)
async def update_incident(
    incident_id: IncidentId, body: IncidentUpdate, agent: CurrentAgent, session: SessionDep
) -> IncidentOut:
    """Título, descrição, gravidade, categoria, responsável e vínculos (só os campos enviados)."""
    incident = await incident_service.get_for(session, agent, incident_id, lock=True)
    changes = body.model_dump(exclude_unset=True)
    return IncidentOut.of(await incident_service.update(session, agent, incident, changes))


@router.post("/incidents/{incident_id}/status", response_model=IncidentOut)
async def change_status(
    incident_id: IncidentId, body: StatusChange, agent: CurrentAgent, session: SessionDep
) -> IncidentOut:
    """aberta → em andamento → resolvida (exige resolução) → fechada; resolvida pode ser reaberta."""
    incident = await incident_service.get_for(session, agent, incident_id, lock=True)
    await incident_service.change_status(
        session, Actor.of(agent), incident, body.status, note=body.note, resolution=body.resolution
    )
    return IncidentOut.of(incident)


@router.post("/incidents/{incident_id}/notes", response_model=TimelineEntryOut, status_code=201)
async def add_note(
    incident_id: IncidentId, body: NoteCreate, agent: CurrentAgent, session: SessionDep
) -> TimelineEntryOut:
    incident = await incident_service.get_for(session, agent, incident_id)
    return TimelineEntryOut.of(await incident_service.add_note(session, Actor.of(agent), incident, body.note))


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentOut)
async def acknowledge_emergency(
    incident_id: IncidentId, agent: CurrentAgent, session: SessionDep
) -> IncidentOut:
    """Reconhece a emergência (registra quem e quando) e tira o aviso da conversa."""
    incident = await incident_service.get_for(session, agent, incident_id, lock=True)
    return IncidentOut.of(await incident_service.acknowledge(session, agent, incident))


@router.post("/incidents/{incident_id}/redeliver", response_model=IncidentOut, status_code=202)
async def redeliver_emergency(
    incident_id: IncidentId, supervisor: SupervisorAgent, session: SessionDep
) -> IncidentOut:
    """Recomeça o envio à operação de uma emergência cujas tentativas se esgotaram (falhou)."""
    incident = await incident_service.get_for(session, supervisor, incident_id, lock=True)
    return IncidentOut.of(await emergency_service.redeliver(session, supervisor, incident))


# ---------------------------------------------------------------------- per conversation


@router.get("/conversations/{conversation_id}/incidents", response_model=list[IncidentOut])
async def conversation_incidents(
    conversation_id: ConversationId, agent: CurrentAgent, session: SessionDep
) -> list[IncidentOut]:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [IncidentOut.of(i) for i in await incident_service.for_conversation(session, conversation)]


@router.post("/conversations/{conversation_id}/emergency", response_model=IncidentOut, status_code=201)
async def report_emergency(
    conversation_id: ConversationId,
    body: EmergencyRequest,
    agent: CurrentAgent,
    session: SessionDep,
    response: Response,
) -> IncidentOut:
    """Comunica uma emergência: vai à operação na hora, alerta os supervisores e deixa a conversa
    urgente e N3. Se a conversa já tem emergência aberta, devolve a existente (200)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    existing = await emergency_service.open_for(session, conversation)
    incident = await incident_service.report_emergency(
        session,
        conversation,
        category_code=body.category_code or "emergencia_saude",
        source="agent",
        actor=Actor.of(agent),
        description=body.description,
    )
    if existing is not None:
        response.status_code = 200
    return IncidentOut.of(incident)


@router.get("/conversations/{conversation_id}/emergency-banner", response_model=BannerOut)
async def emergency_banner(
    conversation_id: ConversationId, agent: CurrentAgent, session: SessionDep
) -> BannerOut:
    """O aviso de emergência da conversa, exibido até alguém reconhecê-la."""
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    items = [BannerItem.of(i) for i in await emergency_service.banner(session, conversation)]
    return BannerOut(active=bool(items), emergencies=items)
