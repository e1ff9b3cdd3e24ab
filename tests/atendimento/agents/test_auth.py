"""Login (bearer token and session cookie with CSRF), revocation, and who manages agents."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from carinho import runtime
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.security import SESSION_COOKIE
from carinho.atendimento.agents.service import agent_service
from carinho.config import Settings
from carinho.kit import migrations
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent
from tests.support.processes import ROOT, carinho_env


async def create(rt: Runtime, email: str, role: Role = Role.agent, password: str = "senha-forte-123") -> int:
    async with rt.db("atendimento").session() as session:
        agent, _ = await agent_service.create(
            session, name="Ana Paula", email=email, role=role, level=SupportLevel.n2, password=password
        )
        await session.commit()
        return agent.id


async def login(client: httpx.AsyncClient, email: str, password: str = "senha-forte-123") -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_login_gives_a_bearer_token_and_a_session_cookie(
    rt: Runtime, atendimento: httpx.AsyncClient
) -> None:
    await create(rt, "ana@carinho.com.vc")
    response = await login(atendimento, "ANA@carinho.com.vc")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agent"]["role_label"] == "atendente"
    assert body["agent"]["level"] == "N2"
    assert SESSION_COOKIE in response.cookies
    me = await atendimento.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "ana@carinho.com.vc"
    atendimento.cookies.clear()
    atendimento.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE])
    cookie_me = await atendimento.get("/api/auth/me")
    assert cookie_me.status_code == 200


async def test_wrong_passwords_and_unknown_agents_get_401(
    rt: Runtime, atendimento: httpx.AsyncClient
) -> None:
    await create(rt, "ana@carinho.com.vc")
    assert (await login(atendimento, "ana@carinho.com.vc", "errada")).status_code == 401
    assert (await login(atendimento, "ninguem@carinho.com.vc")).status_code == 401
    anonymous = await atendimento.get("/api/conversations")
    assert anonymous.status_code == 401
    assert anonymous.json()["message"].startswith("Autenticação necessária")
    forged = await atendimento.get("/api/auth/me", headers={"Authorization": "Bearer forjado"})
    assert forged.status_code == 401


async def test_cookie_requests_that_change_things_need_the_csrf_token(
    rt: Runtime, atendimento: httpx.AsyncClient
) -> None:
    await create(rt, "ana@carinho.com.vc")
    logged = await login(atendimento, "ana@carinho.com.vc")
    body = {"available": False}
    atendimento.cookies.clear()
    atendimento.cookies.set(SESSION_COOKIE, logged.cookies[SESSION_COOKIE])
    without = await atendimento.post("/api/auth/me/availability", json=body)
    assert without.status_code == 403
    assert "CSRF" in without.json()["message"]
    wrong = await atendimento.post("/api/auth/me/availability", json=body, headers={"X-CSRF-Token": "outro"})
    assert wrong.status_code == 403
    right = await atendimento.post(
        "/api/auth/me/availability",
        json=body,
        headers={"X-CSRF-Token": logged.json()["csrf_token"]},
    )
    assert right.status_code == 200
    assert right.json()["available"] is False


async def test_logout_and_deactivation_revoke_every_token(
    rt: Runtime, atendimento: httpx.AsyncClient
) -> None:
    agent_id = await create(rt, "ana@carinho.com.vc")
    token = (await login(atendimento, "ana@carinho.com.vc")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await atendimento.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await atendimento.get("/api/auth/me", headers=headers)).status_code == 401

    token = (await login(atendimento, "ana@carinho.com.vc")).json()["access_token"]
    admin_id = await create(rt, "admin@carinho.com.vc", Role.admin)
    admin_token = (await login(atendimento, "admin@carinho.com.vc")).json()["access_token"]
    deactivated = await atendimento.patch(
        f"/api/agents/{agent_id}", json={"active": False}, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert deactivated.status_code == 200, deactivated.text
    assert admin_id != agent_id
    assert (
        await atendimento.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    assert (await login(atendimento, "ana@carinho.com.vc")).status_code == 401


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor])
async def test_only_an_admin_manages_agents(make_agent: MakeAgent, role: Role) -> None:
    caller = await make_agent(role)
    created = await caller.post("/api/agents", json={"name": "Novo", "email": "novo@carinho.com.vc"})
    assert created.status_code == 403
    assert created.json()["message"] == "Acesso negado: esta ação exige o papel administrador."
    assert (await caller.patch(f"/api/agents/{caller.agent_id}", json={"role": "admin"})).status_code == 403
    assert (await caller.post(f"/api/agents/{caller.agent_id}/reset-password")).status_code == 403
    assert (await caller.get("/api/agents")).status_code == 200


async def test_an_admin_creates_updates_and_resets_agents(
    make_agent: MakeAgent, atendimento: httpx.AsyncClient
) -> None:
    admin = await make_agent(Role.admin)
    created = await admin.post(
        "/api/agents",
        json={
            "name": "Bruno Dias",
            "email": "bruno@carinho.com.vc",
            "role": "supervisor",
            "level": "N3",
            "capacity": 4,
        },
    )
    assert created.status_code == 201, created.text
    password = created.json()["initial_password"]
    agent_id = created.json()["agent"]["id"]
    assert (await login(atendimento, "bruno@carinho.com.vc", password)).status_code == 200
    duplicate = await admin.post("/api/agents", json={"name": "Outro", "email": "bruno@carinho.com.vc"})
    assert duplicate.status_code == 409
    updated = await admin.patch(f"/api/agents/{agent_id}", json={"level": "N2", "capacity": 6})
    assert updated.json()["level"] == "N2"
    assert updated.json()["capacity"] == 6
    reset = await admin.post(f"/api/agents/{agent_id}/reset-password")
    new_password = reset.json()["new_password"]
    assert (await login(atendimento, "bruno@carinho.com.vc", password)).status_code == 401
    assert (await login(atendimento, "bruno@carinho.com.vc", new_password)).status_code == 200


async def test_nul_in_a_name_or_login_e_mail_is_refused_not_a_server_error(
    make_agent: MakeAgent, atendimento: httpx.AsyncClient
) -> None:
    """PostgreSQL refuses NUL in text; found by tests/atendimento/test_openapi_fuzz.py."""
    admin = await make_agent(Role.admin)
    created = await admin.post("/api/agents", json={"name": "Bru\x00no", "email": "bruno@carinho.com.vc"})
    assert created.status_code == 422 and "NUL" in created.text
    renamed = await admin.patch(f"/api/agents/{admin.agent_id}", json={"name": "A\x00"})
    assert renamed.status_code == 422
    assert (await login(atendimento, "ana\x00@carinho.com.vc")).status_code == 422


def carinho(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carinho", *args],
        cwd=ROOT,
        env=carinho_env(carinho_data_dir=tmp_path, carinho_log_level="WARNING"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
async def test_cli_creates_an_agent_and_prints_the_password_last(tmp_path: Path) -> None:
    await asyncio.to_thread(
        migrations.upgrade, "atendimento", f"sqlite+aiosqlite:///{tmp_path}/atendimento.sqlite3"
    )
    created = carinho(
        tmp_path,
        "agents",
        "create",
        "Carla Mendes",
        "carla@carinho.com.vc",
        "--role",
        "supervisor",
        "--level",
        "N2",
    )
    assert created.returncode == 0, created.stderr
    password = created.stdout.strip().splitlines()[-1]
    listed = carinho(tmp_path, "agents", "list")
    assert "carla@carinho.com.vc" in listed.stdout
    assert "supervisor" in listed.stdout
    assert password not in listed.stdout
    rt = runtime.configure(Settings(_env_file=None, carinho_data_dir=tmp_path))  # type: ignore[call-arg]
    async with rt.db("atendimento").session() as session:
        agent = await agent_service.verify_password(session, "carla@carinho.com.vc", password)
        assert agent is not None
        assert agent.role == "supervisor"
        assert agent.level == "N2"
    await rt.db("atendimento").dispose()
