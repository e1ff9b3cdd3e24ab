from __future__ import annotations

from fastapi import APIRouter

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.triage.schemas import AnswersIn, ChecklistOut, ChecklistVersionCreate, TriageOut
from carinho.atendimento.triage.service import LEAD_CHECKLIST, QuestionSpec, TriageState, triage_service
from carinho.kit.ids import Id

router = APIRouter(prefix="/api", tags=["triagem"])


def _out(state: TriageState) -> TriageOut:
    return TriageOut(
        checklist=ChecklistOut.of(state.checklist),
        status=state.session.status if state.session else "not_started",
        outcome=state.session.outcome if state.session else None,
        completed_at=state.session.completed_at if state.session else None,
        answers=triage_service.answers_by_code(state),
        missing_required=[q.code for q in state.missing_required],
    )


@router.get("/triage/checklists", response_model=list[ChecklistOut])
async def checklists(agent: CurrentAgent, session: SessionDep, key: str | None = None) -> list[ChecklistOut]:
    """Todas as versões dos checklists."""
    return [ChecklistOut.of(c) for c in await triage_service.versions(session, key)]


@router.post("/triage/checklists/{key}/versions", response_model=ChecklistOut, status_code=201)
async def new_version(
    key: str, body: ChecklistVersionCreate, supervisor: SupervisorAgent, session: SessionDep
) -> ChecklistOut:
    """Cria a próxima versão (as anteriores ficam como estão; triagens em curso seguem na sua versão)."""
    checklist = await triage_service.create_version(
        session,
        key=key,
        title=body.title,
        questions=[
            QuestionSpec(q.code, q.text, q.qtype, q.required, tuple(q.options), tuple(q.disqualifying))
            for q in body.questions
        ],
        created_by_id=supervisor.id,
    )
    return ChecklistOut.of(checklist)


@router.get("/conversations/{conversation_id}/triage", response_model=TriageOut)
async def get_triage(conversation_id: Id, agent: CurrentAgent, session: SessionDep) -> TriageOut:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return _out(await triage_service.state(session, conversation, LEAD_CHECKLIST))


@router.post("/conversations/{conversation_id}/triage", response_model=TriageOut)
async def answer(conversation_id: Id, body: AnswersIn, agent: CurrentAgent, session: SessionDep) -> TriageOut:
    """Registra respostas; com todas as obrigatórias respondidas, a triagem conclui e move o funil."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    return _out(await triage_service.answer(session, agent, conversation, body.answers))
