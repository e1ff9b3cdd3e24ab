"""Configurações › Motivos de perda: the catalogue an attendant picks from when a lead is lost —
create, rename, order, deactivate or reactivate (never delete: past losses keep their reason) —
the same service and schemas as /api/loss-reasons."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.funnel.schemas import LossReasonCreate, LossReasonUpdate
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.web.form_input import validated
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import BadRequest, CarinhoError, NotFound
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

REASONS_URL = f"{SETTINGS_URL}/motivos-de-perda"
MESSAGES = {
    "label": "Dê um nome ao motivo (até 120 caracteres).",
    "code": "O código usa só letras minúsculas sem acento, números e _ (até 48), como preco_alto.",
    "position": "A ordem é um número inteiro de 0 a 10.000.",
    "active": "Escolha ativar ou desativar.",
}
NON_CODE = re.compile(r"[^a-z0-9]+")

Text = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=16)]


def code_from(label: str) -> str:
    """A code for a reason created without one: its name, lower case, without accents."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return NON_CODE.sub("_", plain).strip("_")[:48]


def _position(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.lstrip("-").isdigit() or len(value) > 6:
        raise BadRequest(MESSAGES["position"])
    return int(value)


async def _render(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, str] | None = None,
    editing: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """`form` and `error` belong to the new-reason form, or to the row `editing` when it is set."""
    return render_tab(
        request,
        "atendimento/settings/loss_reasons.html",
        REASONS_URL,
        status_code=status_code,
        reasons=await funnel_service.loss_reasons(session),
        usage=await funnel_service.loss_reason_usage(session),
        form=form or {},
        editing=editing,
        error=error,
    )


@router.get(REASONS_URL)
async def reasons_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session)


@router.post(f"{REASONS_URL}/novo")
async def create_reason(
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    label: Text = "",
    code: Text = "",
    position: Short = "",
) -> Response:
    form = {"label": label, "code": code, "position": position}
    try:
        body = validated(
            LossReasonCreate,
            MESSAGES,
            label=label.strip(),
            code=code.strip() or code_from(label),
            position=_position(position) if position.strip() else 100,
        )
        reason = await funnel_service.create_loss_reason(
            session, code=body.code, label=body.label, position=body.position
        )
    except CarinhoError as exc:
        return await _render(request, session, form=form, error=exc.message, status_code=422)
    return RedirectResponse(f"{REASONS_URL}?salvo=1#motivo-{reason.id}", status_code=303)


@router.post(REASONS_URL + "/{reason_id}")
async def save_reason(
    reason_id: Id,
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    label: Text = "",
    position: Short = "",
    active: Short = "",
) -> Response:
    """The edit form (name and order), or the activate/deactivate button (`active` alone)."""
    form = {"label": label, "position": position}
    try:
        if active:
            body = validated(
                LossReasonUpdate, MESSAGES, active={"sim": True, "nao": False}.get(active, active)
            )
        else:
            body = validated(LossReasonUpdate, MESSAGES, label=label.strip(), position=_position(position))
        reason = await funnel_service.update_loss_reason(
            session, reason_id, label=body.label, active=body.active, position=body.position
        )
    except NotFound:
        raise
    except CarinhoError as exc:
        return await _render(
            request, session, form=form, editing=reason_id, error=exc.message, status_code=422
        )
    return RedirectResponse(f"{REASONS_URL}?salvo=1#motivo-{reason.id}", status_code=303)
