"""Message templates: pt-BR variables, categories, preview and sending through a conversation."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received


async def test_templates_are_validated_previewed_and_sent_with_their_variables(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor, name="Paula Reis")
    agent = await make_agent()
    catalogue = (await agent.get("/api/templates/catalogue")).json()
    assert "proxima_abertura" in catalogue["variables"]
    assert catalogue["categories"]["fora_do_horario"] == "Fora do horário"
    assert (
        await agent.post("/api/templates", json={"name": "X", "category": "geral", "body": "oi"})
    ).status_code == 403
    unknown = await supervisor.post(
        "/api/templates", json={"name": "Visita", "category": "geral", "body": "Olá {{nome_do_cachorro}}"}
    )
    assert unknown.status_code == 400
    assert "nome_do_cachorro" in unknown.json()["message"]
    bad_category = await supervisor.post(
        "/api/templates", json={"name": "Visita", "category": "spam", "body": "oi"}
    )
    assert bad_category.status_code == 400
    created = await supervisor.post(
        "/api/templates",
        json={
            "name": "Agendar visita",
            "category": "geral",
            "body": "{{primeiro_nome}}, sou {{nome_atendente}} da {{empresa}}. Podemos agendar uma visita?",
        },
    )
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    assert (await supervisor.post("/api/templates", json={**created.json(), "id": None})).status_code in (
        409,
        422,
    )
    preview = (await supervisor.get(f"/api/templates/{template_id}/preview")).json()
    assert preview["text"] == "Maria, sou Paula Reis da Carinho com Você. Podemos agendar uma visita?"

    conversation_id = (await post_webhook(atendimento, received("TP1"))).json()["conversation_id"]
    sent = await supervisor.post(
        f"/api/conversations/{conversation_id}/messages/template", json={"template_id": template_id}
    )
    assert sent.status_code == 202
    assert sent.json()["content"].startswith("Maria, sou Paula Reis")
    assert sent.json()["template_id"] == template_id
    await supervisor.patch(f"/api/templates/{template_id}", json={"active": False})
    inactive = await supervisor.post(
        f"/api/conversations/{conversation_id}/messages/template", json={"template_id": template_id}
    )
    assert inactive.status_code == 409
    by_category = (await agent.get("/api/templates?category=fora_do_horario")).json()
    assert [t["key"] for t in by_category] == ["out_of_hours"]
