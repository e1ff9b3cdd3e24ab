from __future__ import annotations

from fastapi import APIRouter

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.automations.models import AutoMessageRule
from carinho.atendimento.automations.schemas import RuleOut, RuleUpdate
from carinho.atendimento.automations.service import RuleKind, automation_service
from carinho.atendimento.deps import SessionDep

router = APIRouter(prefix="/api/automations", tags=["mensagens automáticas"])


def _out(rule: AutoMessageRule) -> RuleOut:
    return RuleOut(
        kind=rule.kind,
        label=RuleKind(rule.kind).label,
        enabled=rule.enabled,
        template_id=rule.template_id,
        delay_minutes=rule.delay_minutes,
        updated_by_id=rule.updated_by_id,
        updated_at=rule.updated_at,
    )


@router.get("", response_model=list[RuleOut])
async def list_rules(agent: CurrentAgent, session: SessionDep) -> list[RuleOut]:
    return [_out(rule) for rule in await automation_service.rules(session)]


@router.patch("/{kind}", response_model=RuleOut)
async def configure_rule(
    kind: RuleKind, body: RuleUpdate, supervisor: SupervisorAgent, session: SessionDep
) -> RuleOut:
    """Liga/desliga a regra, escolhe o modelo e o tempo (fila e acompanhamento)."""
    rule = await automation_service.configure(
        session,
        supervisor,
        kind,
        enabled=body.enabled,
        template_id=body.template_id,
        delay_minutes=body.delay_minutes,
    )
    return _out(rule)
