"""Default escalation rules and settings, created once (on the first start; never overwritten)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.escalation.models import RuleKind
from carinho.atendimento.escalation.repository import EscalationRepository
from carinho.atendimento.escalation.rules import rule_service
from carinho.atendimento.escalation.service import escalation_service

# Words a family uses when the person in care is in danger now. The rule escalates to N3 at
# urgent priority and opens a health emergency (which alerts every supervisor and operação).
EMERGENCY_WORDS = [
    "emergência",
    "urgência",
    "socorro",
    "SAMU",
    "desmaiou",
    "desmaio",
    "desacordada",
    "desacordado",
    "inconsciente",
    "não está respirando",
    "não consegue respirar",
    "falta de ar",
    "convulsão",
    "convulsionando",
    "infarto",
    "AVC",
    "derrame",
    "sofreu uma queda",
    "caiu no chão",
    "caiu e não",  # "caiu e não está respondendo", "caiu e não levanta"
    "não acorda",
    "não reage",
    "levou um tombo",
    "sangrando muito",
    "hemorragia",
    "engasgou",
]

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Emergência de saúde na mensagem",
        "kind": RuleKind.keyword.value,
        "target_level": "N3",
        "raise_priority": "urgent",
        "opens_emergency": True,
        "active": True,
        "keywords": EMERGENCY_WORDS,
    },
    {
        "name": "Cliente pede supervisor ou responsável",
        "kind": RuleKind.asks_supervisor.value,
        "target_level": "N2",
        "raise_priority": "high",
        "active": True,
    },
    {
        "name": "Ameaça de reclamação formal",
        "kind": RuleKind.keyword.value,
        "target_level": "N2",
        "raise_priority": "high",
        "active": True,
        "keywords": ["Procon", "Reclame Aqui", "vou processar", "ação judicial", "reclamação formal"],
    },
    {
        "name": "SLA violado",
        "kind": RuleKind.sla_breached.value,
        "target_level": "N2",
        "raise_priority": "high",
        "active": True,
    },
    {
        # Off by default: at risk is a warning to the agent; escalating then empties N1's queue into N2.
        "name": "SLA de primeira resposta em risco",
        "kind": RuleKind.sla_at_risk.value,
        "target_level": "N2",
        "sla_target": "first_response",
        "active": False,
    },
    {
        "name": "Cliente voltou 3 vezes em 7 dias",
        "kind": RuleKind.reopenings.value,
        "target_level": "N2",
        "raise_priority": "high",
        "threshold": 3,
        "window_hours": 7 * 24,
        "active": True,
    },
    {
        # An example to adapt: the lead checklist has no question that means danger.
        "name": "Triagem: paciente acamado ou em pós-operatório",
        "kind": RuleKind.triage_answer.value,
        "target_level": "N2",
        "question_code": "condicao",
        "answer_values": ["Acamado", "Pós-operatório"],
        "active": False,
    },
]


async def seed_escalation(session: AsyncSession) -> list[str]:
    """The settings row marks that defaults were created: rules a supervisor deleted stay deleted."""
    if await EscalationRepository(session).settings() is not None:
        return []
    await escalation_service.settings(session)
    for values in DEFAULT_RULES:
        await rule_service.create(session, None, **values)
    return ["escalation_settings", "escalation_rules"]
