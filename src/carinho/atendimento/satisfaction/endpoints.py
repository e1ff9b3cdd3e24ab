from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.security import APIKeyHeader

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.satisfaction import page
from carinho.atendimento.satisfaction.followups import followup_service
from carinho.atendimento.satisfaction.models import Followup, FollowupStatus
from carinho.atendimento.satisfaction.reports import GroupBy, Period, report_service
from carinho.atendimento.satisfaction.schemas import (
    CommentOut,
    FollowupAssignIn,
    FollowupDoneIn,
    FollowupOut,
    NpsReportOut,
    ServiceSurveyIn,
    SettingsIn,
    SettingsOut,
    SurveyOut,
)
from carinho.atendimento.satisfaction.service import ServiceRequest, satisfaction_service
from carinho.errors import BadRequest, Unauthorized
from carinho.kit.clock import utcnow
from carinho.kit.db import INT_MAX
from carinho.kit.ids import Id

router = APIRouter(prefix="/api/satisfaction", tags=["satisfação"])
# Public: the survey link's page. The token is the credential.
public_router = APIRouter(tags=["pesquisa de satisfação (pública)"])

api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="CARINHO_ATENDIMENTO_API_KEY (a chave que o hub usa)"
)
MAX_REPORT_DAYS = 731


async def hub_caller(request: Request, key: Annotated[str | None, Depends(api_key_scheme)]) -> None:
    """The hub's machine credential (docs/contratos/atendimento.md): X-API-Key."""
    expected = request.app.state.runtime.settings.carinho_atendimento_api_key.get_secret_value()
    if not expected or not key or not hmac.compare_digest(key.encode(), expected.encode()):
        raise Unauthorized("Chave de API ausente ou inválida (X-API-Key).")


HubCaller = Annotated[None, Depends(hub_caller)]


@router.get("/settings", response_model=SettingsOut)
async def get_settings(agent: SupervisorAgent, session: SessionDep) -> SettingsOut:
    """Configuração da pesquisa de satisfação (NPS)."""
    return SettingsOut.model_validate(await satisfaction_service.settings(session))


@router.put("/settings", response_model=SettingsOut)
async def put_settings(agent: SupervisorAgent, session: SessionDep, body: SettingsIn) -> SettingsOut:
    """Altera a configuração (somente supervisores). Campos ausentes ficam como estão."""
    row = await satisfaction_service.update_settings(session, agent, body.model_dump(exclude_none=True))
    return SettingsOut.model_validate(row)


@router.post("/surveys", response_model=SurveyOut, status_code=201)
async def request_service_survey(
    caller: HubCaller, session: SessionDep, body: ServiceSurveyIn, response: Response
) -> SurveyOut:
    """O hub pede a pesquisa após um serviço (uma por serviço; repetir o pedido devolve a mesma, 200)."""
    survey, created = await satisfaction_service.request_for_service(
        session, ServiceRequest(body.phone, body.service_id.strip(), body.client_name)
    )
    if not created:
        response.status_code = 200
    return SurveyOut.model_validate(survey)


@router.get("/conversations/{conversation_id}/surveys", response_model=list[SurveyOut])
async def conversation_surveys(
    agent: CurrentAgent,
    session: SessionDep,
    conversation_id: Id,
) -> list[SurveyOut]:
    """Pesquisas escritas nesta conversa (a da própria conversa e as pedidas após um serviço)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [
        SurveyOut.model_validate(s) for s in await satisfaction_service.of_conversation(session, conversation)
    ]


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise BadRequest(f"Informe '{name}' com fuso horário (ex.: 2026-12-01T00:00:00-03:00).")
    return value


@router.get("/nps", response_model=NpsReportOut)
async def nps_report(
    agent: SupervisorAgent,
    session: SessionDep,
    start: Annotated[
        datetime | None, Query(alias="from", description="Início (padrão: 30 dias atrás)")
    ] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Fim, exclusivo (padrão: agora)")] = None,
    group_by: Annotated[
        GroupBy | None, Query(description="agent, level, category, channel, source ou period")
    ] = None,
    period: Annotated[Period, Query(description="Com group_by=period: day, week ou month")] = Period.month,
) -> NpsReportOut:
    """NPS (% 9–10 − % 0–6), CSAT (% 4–5) e taxa de resposta das pesquisas enviadas no período."""
    end = _aware(end, "to") if end else utcnow()
    start = _aware(start, "from") if start else end - timedelta(days=30)
    if start >= end:
        raise BadRequest("O início ('from') deve ser anterior ao fim ('to').")
    if end - start > timedelta(days=MAX_REPORT_DAYS):
        raise BadRequest("Período longo demais: no máximo 2 anos por consulta.")
    return NpsReportOut.model_validate(await report_service.nps(session, start, end, group_by, period))


def _followup_out(f: Followup, score: int | None, comment: str | None, contact_id: int) -> FollowupOut:
    return FollowupOut(
        id=f.id,
        survey_id=f.survey_id,
        conversation_id=f.conversation_id,
        contact_id=contact_id,
        status=f.status,
        assignee_id=f.assignee_id,
        due_at=f.due_at,
        score=score,
        comment=comment,
        note=f.note,
        created_at=f.created_at,
        done_at=f.done_at,
        done_by_id=f.done_by_id,
    )


@router.get("/followups", response_model=list[FollowupOut])
async def list_followups(
    agent: SupervisorAgent,
    session: SessionDep,
    status: FollowupStatus | None = FollowupStatus.open,
    assignee_id: Annotated[int | None, Query(ge=1, le=INT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
) -> list[FollowupOut]:
    """Acompanhamentos de clientes detratores (nota 0–6), por prazo."""
    rows = await followup_service.list(
        session, status=status, assignee_id=assignee_id, limit=limit, offset=offset
    )
    return [_followup_out(f, score, comment, contact_id) for f, score, comment, contact_id in rows]


@router.post("/followups/{followup_id}/assign", response_model=FollowupOut)
async def followup_assign(
    agent: SupervisorAgent,
    session: SessionDep,
    followup_id: Id,
    body: FollowupAssignIn,
) -> FollowupOut:
    """Passa o acompanhamento a outro supervisor."""
    followup = await followup_service.assign(session, agent, followup_id, body.assignee_id)
    survey = await satisfaction_service.survey(session, followup.survey_id)
    return _followup_out(followup, survey.score, survey.comment, survey.contact_id)


@router.get("/nps/comments", response_model=list[CommentOut])
async def nps_comments(
    agent: SupervisorAgent,
    session: SessionDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CommentOut]:
    """Comentários das respostas do período, das mais novas às mais antigas."""
    end = _aware(end, "to") if end else utcnow()
    start = _aware(start, "from") if start else end - timedelta(days=30)
    if start >= end:
        raise BadRequest("O início ('from') deve ser anterior ao fim ('to').")
    return [CommentOut(**c) for c in await report_service.comments(session, start, end, limit)]


@router.post("/followups/{followup_id}/done", response_model=FollowupOut)
async def followup_done(
    agent: SupervisorAgent,
    session: SessionDep,
    followup_id: Id,
    body: FollowupDoneIn | None = None,
) -> FollowupOut:
    """Conclui o acompanhamento, com uma nota opcional do que foi feito."""
    followup = await followup_service.done(session, agent, followup_id, body.note if body else None)
    survey = await satisfaction_service.survey(session, followup.survey_id)
    return _followup_out(followup, survey.score, survey.comment, survey.contact_id)


# A person's page: an unknown or expired link answers a page too.
_NO_SURVEY: dict[int | str, dict[str, Any]] = {
    404: {"description": "Pesquisa inexistente ou expirada", "content": {"text/html": {}}}
}


@public_router.get(
    "/nps/{token}",
    response_class=HTMLResponse,
    summary="Página da pesquisa (pt-BR)",
    responses=_NO_SURVEY,
)
async def survey_page(session: SessionDep, token: str) -> HTMLResponse:
    return await page.show(session, token)


@public_router.post(
    "/nps/{token}",
    response_class=HTMLResponse,
    summary="Envia a nota (0–10), CSAT e comentário",
    responses=_NO_SURVEY,
)
async def survey_submit(
    session: SessionDep,
    token: str,
    score: Annotated[str, Form()] = "",
    csat: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> HTMLResponse:
    return await page.submit(session, token, score, csat, comment)
