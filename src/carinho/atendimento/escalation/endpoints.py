from __future__ import annotations

from fastapi import APIRouter, Response

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.escalation.models import RuleKind
from carinho.atendimento.escalation.rules import rule_service
from carinho.atendimento.escalation.schemas import (
    DeescalateRequest,
    EscalateRequest,
    EscalationOut,
    RuleCreate,
    RuleKindOut,
    RuleOut,
    RuleUpdate,
    SettingsOut,
    SettingsUpdate,
)
from carinho.atendimento.escalation.service import escalation_service
from carinho.atendimento.inbox.service import inbox_service
from carinho.kit.ids import Id

router = APIRouter(prefix="/api", tags=["escalonamento"])

ConversationId = Id
RuleId = Id


@router.post("/conversations/{conversation_id}/escalate", response_model=EscalationOut, status_code=201)
async def escalate(
    conversation_id: ConversationId, body: EscalateRequest, agent: CurrentAgent, session: SessionDep
) -> EscalationOut:
    """Escalona a conversa (padrão: próximo nível) e a redistribui entre os atendentes do nível."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    escalation = await escalation_service.escalate_by_agent(
        session,
        agent,
        conversation,
        to_level=body.to_level,
        reason=body.reason,
        notify_operacao=body.notify_operacao,
    )
    return EscalationOut.model_validate(escalation)


@router.post("/conversations/{conversation_id}/deescalate", response_model=EscalationOut, status_code=201)
async def deescalate(
    conversation_id: ConversationId, body: DeescalateRequest, agent: CurrentAgent, session: SessionDep
) -> EscalationOut:
    """Volta a conversa a um nível abaixo (supervisor ou o atendente responsável)."""
    conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
    escalation = await escalation_service.deescalate_by_agent(
        session, agent, conversation, to_level=body.to_level, reason=body.reason
    )
    return EscalationOut.model_validate(escalation)


@router.get("/conversations/{conversation_id}/escalations", response_model=list[EscalationOut])
async def escalations(
    conversation_id: ConversationId, agent: CurrentAgent, session: SessionDep
) -> list[EscalationOut]:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    return [
        EscalationOut.model_validate(e) for e in await escalation_service.escalations(session, conversation)
    ]


@router.get("/escalation/rule-kinds", response_model=list[RuleKindOut])
async def rule_kinds(agent: CurrentAgent) -> list[RuleKindOut]:
    return [RuleKindOut(kind=kind, label=kind.label) for kind in RuleKind]


@router.get("/escalation/rules", response_model=list[RuleOut])
async def list_rules(agent: CurrentAgent, session: SessionDep, kind: RuleKind | None = None) -> list[RuleOut]:
    return [RuleOut.model_validate(rule) for rule in await rule_service.rules(session, kind=kind)]


@router.post("/escalation/rules", response_model=RuleOut, status_code=201)
async def create_rule(body: RuleCreate, supervisor: SupervisorAgent, session: SessionDep) -> RuleOut:
    """Cria uma regra automática de escalonamento."""
    values = body.model_dump()
    values["kind"] = body.kind.value
    values["raise_priority"] = body.raise_priority.value if body.raise_priority else None
    return RuleOut.model_validate(await rule_service.create(session, supervisor, **values))


@router.get("/escalation/rules/{rule_id}", response_model=RuleOut)
async def get_rule(rule_id: RuleId, agent: CurrentAgent, session: SessionDep) -> RuleOut:
    return RuleOut.model_validate(await rule_service.rule(session, rule_id))


@router.patch("/escalation/rules/{rule_id}", response_model=RuleOut)
async def update_rule(
    rule_id: RuleId, body: RuleUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> RuleOut:
    """Altera a regra; campos omitidos ficam como estão (envie null para limpar um campo opcional)."""
    changes = body.model_dump(exclude_unset=True)
    if body.raise_priority is not None:
        changes["raise_priority"] = body.raise_priority.value
    for field in ("keywords", "answer_values"):
        if field in changes and changes[field] is None:
            changes[field] = []
    for field in ("name", "target_level", "notify_operacao", "opens_emergency", "active"):
        if field in changes and changes[field] is None:
            del changes[field]
    return RuleOut.model_validate(await rule_service.update(session, supervisor, rule_id, changes))


@router.delete("/escalation/rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: RuleId, supervisor: SupervisorAgent, session: SessionDep) -> Response:
    await rule_service.delete(session, supervisor, rule_id)
    return Response(status_code=204)


@router.get("/escalation/settings", response_model=SettingsOut)
async def get_settings(agent: CurrentAgent, session: SessionDep) -> SettingsOut:
    return SettingsOut.model_validate(await escalation_service.settings(session))


@router.put("/escalation/settings", response_model=SettingsOut)
async def put_settings(body: SettingsUpdate, supervisor: SupervisorAgent, session: SessionDep) -> SettingsOut:
    """Reatribuição automática: ligada/desligada e minutos úteis sem resposta."""
    return SettingsOut.model_validate(
        await escalation_service.update_settings(
            session,
            supervisor,
            auto_reassign_enabled=body.auto_reassign_enabled,
            auto_reassign_minutes=body.auto_reassign_minutes,
        )
    )
