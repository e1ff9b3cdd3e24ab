"""Funil (supervisors): the leads per stage as a board, the conversion between stages and the loss
reasons of a period. The board follows the live feed (funnel moves are conversation changes).

A card moves with the same service as the API (`funnel_service.move_by_agent`): a move the rules do
not allow is refused with the service's reason (a toast), Perdido needs a loss reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.funnel.models import ALLOWED_TRANSITIONS, FunnelStage, LossReason
from carinho.atendimento.funnel.report import funnel_report_service
from carinho.atendimento.funnel.service import funnel_service
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web.conversation_panel_render import ConversationId
from carinho.atendimento.web.conversation_panel_views import STAGE_TONES
from carinho.atendimento.web.form_input import Short, funnel_move
from carinho.atendimento.web.pages import pages
from carinho.atendimento.web.supervision_period import ReportPeriod
from carinho.kit.ui.toasts import toast_trigger

router = APIRouter(include_in_schema=False)

PAGE_URL = "/supervisao/funil"
BOARD_URL = "/supervisao/funil/quadro"
PER_STAGE = 20


async def _board_context(session: AsyncSession) -> dict[str, Any]:
    return {
        "columns": await funnel_report_service.board(session, PER_STAGE),
        "stages": list(FunnelStage),
        "allowed": {stage.value: {s.value for s in ALLOWED_TRANSITIONS[stage]} for stage in FunnelStage},
        "loss_reasons": await funnel_service.loss_reasons(session, active=True),
        "stage_tone": STAGE_TONES,
        "per_stage": PER_STAGE,
    }


@router.get(PAGE_URL)
async def funnel_page(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    period = ReportPeriod.from_query(request.query_params)
    report = await funnel_report_service.report(session, period.start, period.end)
    return pages.render(
        request,
        "atendimento/supervision/funnel.html",
        title="Funil",
        active="funil",
        period=period,
        report=report,
        **await _board_context(session),
    )


@router.get(BOARD_URL)
async def funnel_board(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    return pages.render(request, "atendimento/supervision/funnel_board.html", **await _board_context(session))


@router.post("/supervisao/funil/{conversation_id}/mover")
async def move_lead(
    request: Request,
    conversation_id: ConversationId,
    supervisor: SessionSupervisor,
    session: SessionDep,
    etapa: Annotated[str, Form(max_length=24)] = "",
    motivo: Annotated[str, Form(max_length=20)] = "",
    nota: Short = "",
) -> Response:
    body = funnel_move(etapa, motivo, nota)
    conversation = await inbox_service.get_for(session, supervisor, conversation_id, lock=True)
    await funnel_service.move_by_agent(
        session, supervisor, conversation, body.stage, loss_reason_id=body.loss_reason_id, note=body.note
    )
    done = f"Lead movido para {body.stage.label}."
    if body.loss_reason_id is not None:
        reason = await session.get(LossReason, body.loss_reason_id)
        done = f"Lead marcado como Perdido (motivo: {reason.label if reason else '—'})."
    return pages.render(
        request,
        "atendimento/supervision/funnel_board.html",
        headers={"HX-Trigger": toast_trigger(done)},
        **await _board_context(session),
    )
