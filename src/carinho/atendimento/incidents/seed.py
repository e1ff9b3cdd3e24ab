"""Default incident categories (created when missing; what exists is never overwritten)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents.models import IncidentCategory, Severity
from carinho.atendimento.incidents.repository import IncidentRepository

# code, name, default severity, is an emergency, operação's category
CATEGORIES: list[tuple[str, str, Severity, bool, str]] = [
    ("emergencia_saude", "Emergência de saúde", Severity.critical, True, "saude"),
    ("queda_acidente", "Queda/acidente", Severity.critical, True, "queda"),
    ("falta_cuidador", "Falta de cuidador", Severity.high, False, "ausencia_cuidador"),
    ("atraso_cuidador", "Atraso de cuidador", Severity.medium, False, "ausencia_cuidador"),
    ("reclamacao", "Reclamação", Severity.medium, False, "outros"),
    ("comportamento_inadequado", "Comportamento inadequado", Severity.high, False, "comportamento"),
    ("problema_pagamento", "Problema de pagamento", Severity.medium, False, "outros"),
    ("outro", "Outro", Severity.low, False, "outros"),
]


async def seed_incidents(session: AsyncSession) -> list[str]:
    existing = await IncidentRepository(session).category_codes()
    created: list[str] = []
    for position, (code, name, severity, is_emergency, operacao) in enumerate(CATEGORIES, start=1):
        if code in existing:
            continue
        session.add(
            IncidentCategory(
                code=code,
                name=name,
                default_severity=severity.value,
                is_emergency=is_emergency,
                operacao_category=operacao,
                active=True,
                position=position * 10,
            )
        )
        created.append(f"incident_category:{code}")
    await session.flush()
    return created
