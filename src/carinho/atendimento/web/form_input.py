"""Form fields into the API's request schemas: the same limits as the JSON API, a pt-BR message on
the field that failed. Shared by the conversation panel and the supervisor's pages, which take the
same forms (a funnel move, an incident's status)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Form
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.funnel.schemas import MoveRequest
from carinho.atendimento.incidents.schemas import StatusChange
from carinho.errors import BadRequest

Model = TypeVar("Model", bound=BaseModel)
Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=2_000)]


def validated(model: type[Model], messages: dict[str, str], **values: Any) -> Model:
    """The form's values through the API's request schema: the same limits, a pt-BR message."""
    try:
        return model(**values)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
        raise BadRequest(messages.get(field, "Confira os campos do formulário.")) from None


def optional_id(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise BadRequest("Escolha uma opção da lista.")
    return int(value)


def funnel_move(etapa: str, motivo: str, nota: str) -> MoveRequest:
    """A loss reason counts only for Perdido (a form may keep the last one chosen)."""
    return validated(
        MoveRequest,
        {"stage": "Escolha a etapa do funil.", "note": "A observação pode ter até 2.000 caracteres."},
        stage=etapa,
        loss_reason_id=optional_id(motivo) if etapa == FunnelStage.lost.value else None,
        note=nota.strip() or None,
    )


def incident_status(status: str, resolucao: str) -> StatusChange:
    return validated(
        StatusChange,
        {"status": "Escolha o novo status.", "resolution": "A resolução pode ter até 10.000 caracteres."},
        status=status,
        resolution=resolucao.strip() or None,
    )


async def discard_changes(session: AsyncSession, agent: Agent) -> None:
    """Undo what a refused form changed before the page is drawn again: the page's session commits
    when the handler returns (an API call raises instead), and a service may have set fields before
    its check refused them. The agent is loaded again for the layout."""
    await session.rollback()
    await session.refresh(agent)
