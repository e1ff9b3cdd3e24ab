from __future__ import annotations

from fastapi import APIRouter, Response

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.labels.schemas import LabelCreate, LabelOut, LabelUpdate
from carinho.atendimento.labels.service import label_service
from carinho.kit.ids import Id

router = APIRouter(prefix="/api/labels", tags=["etiquetas"])


@router.get("", response_model=list[LabelOut])
async def list_labels(agent: CurrentAgent, session: SessionDep) -> list[LabelOut]:
    return [LabelOut.model_validate(label) for label in await label_service.list(session)]


@router.post("", response_model=LabelOut, status_code=201)
async def create_label(body: LabelCreate, supervisor: SupervisorAgent, session: SessionDep) -> LabelOut:
    return LabelOut.model_validate(await label_service.create(session, **body.model_dump()))


@router.patch("/{label_id}", response_model=LabelOut)
async def update_label(
    label_id: Id, body: LabelUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> LabelOut:
    label = await label_service.get(session, label_id)
    return LabelOut.model_validate(
        await label_service.update(
            session, label, name=body.name, color=body.color, description=body.description
        )
    )


@router.delete("/{label_id}", status_code=204)
async def delete_label(label_id: Id, supervisor: SupervisorAgent, session: SessionDep) -> Response:
    await label_service.delete(session, await label_service.get(session, label_id))
    return Response(status_code=204)
