"""Configurações › Etiquetas: the labels with their colour and how many conversations carry each;
create, rename or recolour, delete (a dialog says how many conversations lose it) — the same
service and schemas as /api/labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.labels.schemas import LabelCreate, LabelUpdate
from carinho.atendimento.labels.service import label_service
from carinho.atendimento.web.conversation_fragments import chip_color
from carinho.atendimento.web.form_input import validated
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import CarinhoError
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

LABELS_URL = f"{SETTINGS_URL}/etiquetas"
MESSAGES = {
    "name": "Dê um nome à etiqueta (até 64 caracteres).",
    "color": "A cor deve estar no formato #RRGGBB, como #DC2626.",
    "description": "A descrição pode ter até 255 caracteres.",
}

Name = Annotated[str, Form(max_length=200)]
Colour = Annotated[str, Form(max_length=32)]
Description = Annotated[str, Form(max_length=1_000)]


async def _render(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, str] | None = None,
    editing: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """`form` and `error` belong to the new-label form, or to the row `editing` when it is set."""
    return render_tab(
        request,
        "atendimento/settings/labels.html",
        LABELS_URL,
        status_code=status_code,
        labels=await label_service.list(session),
        usage=await label_service.usage(session),
        chip_color=chip_color,
        form=form or {},
        editing=editing,
        error=error,
    )


@router.get(LABELS_URL)
async def labels_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session)


@router.post(f"{LABELS_URL}/nova")
async def create_label(
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    name: Name = "",
    color: Colour = "#6B7280",
    description: Description = "",
) -> Response:
    form = {"name": name, "color": color, "description": description}
    try:
        body = validated(
            LabelCreate, MESSAGES, name=name.strip(), color=color, description=description.strip()
        )
        label = await label_service.create(session, **body.model_dump())
    except CarinhoError as exc:
        return await _render(request, session, form=form, error=exc.message, status_code=422)
    return RedirectResponse(f"{LABELS_URL}?salvo=1#etiqueta-{label.id}", status_code=303)


@router.post(LABELS_URL + "/{label_id}")
async def save_label(
    label_id: Id,
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    name: Name = "",
    color: Colour = "",
    description: Description = "",
) -> Response:
    label = await label_service.get(session, label_id)
    form = {"name": name, "color": color, "description": description}
    try:
        body = validated(
            LabelUpdate, MESSAGES, name=name.strip(), color=color or None, description=description.strip()
        )
        await label_service.update(
            session, label, name=body.name, color=body.color, description=body.description
        )
    except CarinhoError as exc:
        return await _render(
            request, session, form=form, editing=label.id, error=exc.message, status_code=422
        )
    return RedirectResponse(f"{LABELS_URL}?salvo=1#etiqueta-{label.id}", status_code=303)


@router.post(LABELS_URL + "/{label_id}/excluir")
async def delete_label(label_id: Id, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    await label_service.delete(session, await label_service.get(session, label_id))
    return RedirectResponse(f"{LABELS_URL}?excluida=1", status_code=303)
