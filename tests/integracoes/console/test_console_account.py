"""Operators: login and logout audited, roles, never zero administrators, the CLI."""

from __future__ import annotations

from sqlalchemy import select

from carinho.errors import Conflict
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.integracoes.operators.service import operator_service
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator


async def _audit(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.db("integracoes").session() as session:
        rows = (await session.execute(select(ConsoleAudit).order_by(ConsoleAudit.id))).scalars().all()
        return [(r.action, r.operator_email) for r in rows]


async def test_operator_logs_in_to_the_overview(rt: Runtime, make_operator: MakeOperator) -> None:
    person = await make_operator(login=False)
    first = await person.page("/")
    assert first.status_code == 303 and first.headers["location"] == "/painel"
    refused = await person.page("/painel")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/entrar?proxima=%2Fpainel")
    await person.login()
    page = await person.page("/painel")
    assert page.status_code == 200
    assert "Visão geral" in page.text and "Carinho Integrações" in page.text
    assert ("login", person.email) in await _audit(rt)


async def test_wrong_password_is_refused_and_audited(rt: Runtime, make_operator: MakeOperator) -> None:
    person = await make_operator(login=False)
    response = await person.client.post("/entrar", data={"email": person.email, "password": "errada"})
    assert response.status_code == 401 and "E-mail ou senha inválidos." in response.text
    assert ("login_failed", person.email) in await _audit(rt)


async def test_agent_and_operator_sessions_are_not_interchangeable(make_operator: MakeOperator) -> None:
    person = await make_operator()
    cookie = person.client.cookies.get("carinho_console_session")
    assert cookie
    person.client.cookies.clear()
    person.client.cookies.set("carinho_atendimento_session", cookie)
    assert (await person.page("/painel")).status_code == 303


async def test_the_api_stays_json(make_operator: MakeOperator) -> None:
    person = await make_operator()
    response = await person.client.get("/api/events", headers={"accept": "text/html"})
    assert response.status_code == 401 and response.headers["content-type"].startswith("application/json")


async def test_never_zero_administrators(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        admin, _ = await operator_service.create(
            session, name="Ana", email="ana@x.test", role=OperatorRole.admin
        )
        await session.flush()
        for change in ({"role": OperatorRole.viewer}, {"active": False}):
            try:
                await operator_service.update(session, admin, admin, **change)
            except Conflict as exc:
                assert "pelo menos um administrador" in exc.message
            else:
                raise AssertionError(f"{change} left no administrator")
        other, _ = await operator_service.create(
            session, name="Bia", email="bia@x.test", role=OperatorRole.admin
        )
        await operator_service.update(session, other, admin, role=OperatorRole.operator)
        assert admin.role == OperatorRole.operator
        await session.rollback()


async def test_overview_shows_lanes_events_and_the_dlq(
    rt: Runtime, make_operator: MakeOperator, hub: object
) -> None:
    person = await make_operator()
    page = await person.page("/painel")
    assert page.status_code == 200
    for heading in ("Saúde", "Filas de trabalho", "Eventos", "Fila de mensagens mortas (DLQ)"):
        assert heading in page.text
    assert "Nenhuma entrega ou etapa esperando intervenção." in page.text
    # the health checks see the database the page itself reads (on SQLite they once waited for the
    # page's own transaction and reported it down)
    assert 'Banco de dados <span class="badge badge-success">no ar' in page.text
    piece = await person.htmx("GET", "/painel/atualizar")
    assert piece.status_code == 200 and 'id="visao-geral"' in piece.text and "<html" not in piece.text


async def test_repeated_wrong_passwords_are_throttled_and_audited(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    person = await make_operator(login=False)
    for _ in range(5):
        wrong = await person.client.post("/entrar", data={"email": person.email, "password": "errada"})
        assert wrong.status_code == 401
    refused = await person.client.post("/entrar", data={"email": person.email, "password": person.password})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Muitas tentativas de entrar sem sucesso. Tente novamente em" in refused.text
    assert ("login_throttled", person.email) in await _audit(rt)
