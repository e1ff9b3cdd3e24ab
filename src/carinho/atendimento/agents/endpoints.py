"""Login, the current agent, and agent management (administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from carinho.atendimento.agents.auth import AdminAgent, CurrentAgent
from carinho.atendimento.agents.schemas import (
    AgentCreate,
    AgentCreated,
    AgentOut,
    AgentUpdate,
    AvailabilityUpdate,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    PasswordReset,
)
from carinho.atendimento.agents.security import (
    LOGIN_THROTTLE_SCOPE,
    SESSION_COOKIE,
    TOKEN_MAX_AGE_SECONDS,
    issue_bearer,
    issue_session,
)
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.errors import CarinhoError
from carinho.kit.ids import Id
from carinho.kit.login_throttle import login_guard

auth_router = APIRouter(prefix="/api/auth", tags=["autenticação"])
agents_router = APIRouter(prefix="/api/agents", tags=["atendentes"])


@auth_router.post(
    "/login",
    response_model=LoginResponse,
    responses={
        401: {"description": "E-mail ou senha inválidos"},
        429: {"description": "Muitas tentativas sem sucesso (por conta ou endereço): veja Retry-After"},
    },
)
async def login(
    body: LoginRequest, request: Request, response: Response, session: SessionDep
) -> LoginResponse:
    """Login com e-mail e senha: devolve um token bearer e define o cookie de sessão (com CSRF)."""
    try:
        agent = await agent_service.login(
            session, body.email, body.password, login_guard(request, LOGIN_THROTTLE_SCOPE)
        )
    except CarinhoError:
        await session.commit()  # the failed (or throttled) attempt's audit entry
        raise
    settings = request.app.state.runtime.settings
    secret = settings.session_secret.get_secret_value()
    cookie, csrf = issue_session(secret, agent.id, agent.auth_epoch)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=TOKEN_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.carinho_env == "production",
    )
    return LoginResponse(
        access_token=issue_bearer(secret, agent.id, agent.auth_epoch),
        expires_in=TOKEN_MAX_AGE_SECONDS,
        csrf_token=csrf,
        agent=AgentOut.model_validate(agent),
    )


@auth_router.post("/logout", status_code=204)
async def logout(agent: CurrentAgent, session: SessionDep, response: Response) -> Response:
    """Encerra todas as sessões e tokens do atendente."""
    await agent_service.logout_everywhere(session, agent)
    response.status_code = 204
    response.delete_cookie(SESSION_COOKIE)
    return response


@auth_router.get("/me", response_model=AgentOut)
async def me(agent: CurrentAgent) -> AgentOut:
    return AgentOut.model_validate(agent)


@auth_router.post("/me/availability", response_model=AgentOut)
async def set_availability(body: AvailabilityUpdate, agent: CurrentAgent, session: SessionDep) -> AgentOut:
    """Entrar ou sair da distribuição automática (pausa)."""
    await agent_service.update(session, agent, available=body.available)
    return AgentOut.model_validate(agent)


@auth_router.post("/me/password", status_code=204)
async def change_password(body: PasswordChange, agent: CurrentAgent, session: SessionDep) -> Response:
    await agent_service.change_password(session, agent, body.current_password, body.new_password)
    return Response(status_code=204)


@agents_router.get("", response_model=list[AgentOut])
async def list_agents(agent: CurrentAgent, session: SessionDep) -> list[AgentOut]:
    return [AgentOut.model_validate(a) for a in await agent_service.list(session)]


@agents_router.post("", response_model=AgentCreated, status_code=201)
async def create_agent(body: AgentCreate, admin: AdminAgent, session: SessionDep) -> AgentCreated:
    created, password = await agent_service.create(
        session,
        name=body.name,
        email=str(body.email),
        role=body.role,
        level=body.level,
        capacity=body.capacity,
        actor=Actor.of(admin),
    )
    return AgentCreated(agent=AgentOut.model_validate(created), initial_password=password)


@agents_router.patch(
    "/{agent_id}",
    response_model=AgentOut,
    responses={
        400: {"description": "Mudança inválida (o próprio papel ou a própria conta)"},
        409: {"description": "Seria o fim do último administrador ativo"},
    },
)
async def update_agent(agent_id: Id, body: AgentUpdate, admin: AdminAgent, session: SessionDep) -> AgentOut:
    target = await agent_service.get(session, agent_id)
    await agent_service.update(session, target, **body.model_dump(exclude_unset=True), actor=Actor.of(admin))
    return AgentOut.model_validate(target)


@agents_router.post("/{agent_id}/reset-password", response_model=PasswordReset)
async def reset_password(agent_id: Id, admin: AdminAgent, session: SessionDep) -> PasswordReset:
    target = await agent_service.get(session, agent_id)
    return PasswordReset(new_password=await agent_service.reset_password(session, target, Actor.of(admin)))
