"""Equipe: the agents with their status, level, capacity and current load (supervisors); an
administrator creates agents, deactivates or reactivates them, changes role, level and capacity, and
resets a password (the new one shown once, on the answer to that request, never stored in a URL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionAdmin, SessionSupervisor
from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.metrics.schemas import AgentLoad
from carinho.atendimento.metrics.service import metrics_service
from carinho.atendimento.web.pages import SUPERVISOR_NAV, pages
from carinho.errors import BadRequest, CarinhoError, Conflict
from carinho.kit.ids import Id
from carinho.kit.ui import NavItem
from carinho.kit.ui.table_order import TableOrder

router = APIRouter(include_in_schema=False)

TEAM_URL = "/equipe"
ROLES = [(r.value, r.label.capitalize()) for r in Role]
LEVELS = [(level.value, level.value) for level in SupportLevel]
SUPERVISOR_NAV.append(NavItem("Equipe", TEAM_URL, "equipe"))
ORDER = TableOrder(
    columns=[
        ("nome", "Atendente", True),
        ("situacao", "Situação", True),
        ("papel", "Papel", True),
        ("nivel", "Nível", True),
        ("conversas", "Conversas ativas", True),
        ("carga", "Carga", True),
    ],
    default="nome",
)
ADMIN_COLUMN = ("acoes", "Ações", False)

Name = Annotated[str, Form(max_length=120)]
Email = Annotated[str, Form(max_length=190)]
Choice = Annotated[str, Form(max_length=16)]
Capacity = Annotated[str, Form(max_length=4)]


@dataclass(frozen=True)
class TeamRow:
    agent: Agent
    load: AgentLoad | None

    @property
    def status(self) -> tuple[str, str]:
        """(what a person reads, badge tone)."""
        if not self.agent.active:
            return "Desativado", "neutral"
        if self.load is not None and self.load.online:
            return "Online", "success"
        if not self.agent.available:
            return "Em pausa", "warning"
        return "Offline", "neutral"

    @property
    def active_conversations(self) -> int:
        return self.load.active_conversations if self.load else 0

    @property
    def load_percent(self) -> int:
        return round(100 * self.load.load) if self.load else 0


# Each sortable column's key; the active agents always come before the deactivated ones.
_SORT_KEYS: dict[str, Any] = {
    "nome": lambda r: r.agent.name.lower(),
    "situacao": lambda r: r.status[0],
    "papel": lambda r: r.agent.role_label,
    "nivel": lambda r: r.agent.level,
    "conversas": lambda r: r.active_conversations,
    "carga": lambda r: r.load_percent,
}


async def team_rows(session: AsyncSession, ordem: str = ORDER.default) -> list[TeamRow]:
    loads = {item.id: item for item in (await metrics_service.team(session)).items}
    agents = sorted(await agent_service.list(session), key=lambda a: (a.name.lower(), a.id))
    rows = ORDER.sorted_rows([TeamRow(agent, loads.get(agent.id)) for agent in agents], ordem, _SORT_KEYS)
    return sorted(rows, key=lambda r: not r.agent.active)


async def _render(
    request: Request, session: SessionDep, agent: Agent, *, status_code: int = 200, **extra: Any
) -> Response:
    context: dict[str, Any] = {"shown_password": None, "password_for": None, "form": {}, "error": None}
    context.update(extra)
    ordem = ORDER.pick(request.query_params.get("ordem"))
    is_admin = agent.has_role(Role.admin)
    return pages.render(
        request,
        "atendimento/team/page.html",
        status_code=status_code,
        active="equipe",
        rows=await team_rows(session, ordem),
        ordem=ordem,
        columns=[*ORDER.columns, ADMIN_COLUMN] if is_admin else ORDER.columns,
        is_admin=is_admin,
        roles=ROLES,
        levels=LEVELS,
        **context,
    )


def _capacity(value: str) -> int:
    if not value.strip().isdigit():
        raise BadRequest("A capacidade deve ser um número inteiro de conversas.")
    return int(value)


def _choice(value: str, options: list[tuple[str, str]], what: str) -> str:
    if value not in {key for key, _ in options}:
        raise BadRequest(f"{what} inválido.")
    return value


@router.get(TEAM_URL)
async def team_page(request: Request, agent: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session, agent)


@router.post(f"{TEAM_URL}/novo")
async def create_agent(
    request: Request,
    admin: SessionAdmin,
    session: SessionDep,
    name: Name = "",
    email: Email = "",
    role: Choice = Role.agent.value,
    level: Choice = SupportLevel.n1.value,
    capacity: Capacity = "10",
) -> Response:
    form = {"name": name, "email": email, "role": role, "level": level, "capacity": capacity}
    try:
        if "@" not in email or not email.strip():
            raise BadRequest("Informe um e-mail válido.")
        created, password = await agent_service.create(
            session,
            name=name,
            email=email.strip().lower(),
            role=Role(_choice(role, ROLES, "Papel")),
            level=SupportLevel(_choice(level, LEVELS, "Nível")),
            capacity=_capacity(capacity),
            actor=Actor.of(admin),
        )
    except CarinhoError as exc:  # a bad field or an e-mail already in use: the form again, kept
        return await _render(request, session, admin, status_code=422, form=form, error=exc.message)
    return await _render(request, session, admin, shown_password=password, password_for=created)


@router.post(TEAM_URL + "/{agent_id}")
async def update_agent(
    agent_id: Id,
    request: Request,
    admin: SessionAdmin,
    session: SessionDep,
    role: Choice = "",
    level: Choice = "",
    capacity: Capacity = "",
    active: Choice = "",
) -> Response:
    target = await agent_service.get(session, agent_id)
    changes: dict[str, Any] = {}
    if role:
        changes["role"] = Role(_choice(role, ROLES, "Papel"))
    if level:
        changes["level"] = SupportLevel(_choice(level, LEVELS, "Nível"))
    if capacity:
        changes["capacity"] = _capacity(capacity)
    if active in {"sim", "nao"}:
        changes["active"] = active == "sim"
    try:
        await agent_service.update(session, target, **changes, actor=Actor.of(admin))
    except (BadRequest, Conflict) as exc:  # refused before any change: the last administrator, oneself
        return await _render(request, session, admin, status_code=exc.status_code, error=exc.message)
    return RedirectResponse(f"{TEAM_URL}#atendente-{target.id}", status_code=303)


@router.post(TEAM_URL + "/{agent_id}/senha")
async def reset_password(
    agent_id: Id, request: Request, admin: SessionAdmin, session: SessionDep
) -> Response:
    target = await agent_service.get(session, agent_id)
    password = await agent_service.reset_password(session, target, Actor.of(admin))
    return await _render(request, session, admin, shown_password=password, password_for=target)
