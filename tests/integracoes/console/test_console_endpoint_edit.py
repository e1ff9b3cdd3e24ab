"""Endpoints: an admin edits an outbound endpoint from its page — URL, target system, subscribed
event types, description, retry waits — through the service the API's PATCH uses; refusals in
pt-BR; audited with the fields that changed; viewers and operators may not."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.processing import auth, create_endpoint  # noqa: F401 - fixtures

FORM = {
    "url": "https://parceiro.example.com/novo",
    "destino": "marketing",
    "eventos": "lead.created client.registered",
    "descricao": "Leads ao marketing",
    "tentativas": "10 60 600",
}


def _toast(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-trigger"])["carinho-toast"]["message"])


def _message(response: httpx.Response) -> str:
    return unquote(response.headers["x-carinho-mensagem"])


async def _stored(rt: Runtime, endpoint_id: int) -> WebhookEndpoint:
    async with rt.db("integracoes").session() as session:
        row = await session.get(WebhookEndpoint, endpoint_id)
        assert row is not None
        return row


async def _audits(rt: Runtime) -> list[ConsoleAudit]:
    async with rt.db("integracoes").session() as session:
        stmt = select(ConsoleAudit).where(ConsoleAudit.action == "endpoint_updated").order_by(ConsoleAudit.id)
        return list((await session.execute(stmt)).scalars())


async def test_an_admin_edits_an_endpoint_from_its_page(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],  # noqa: F811
    make_operator: MakeOperator,
) -> None:
    endpoint = await create_endpoint(hub, auth, "https://crm.example.com/hook")
    base = f"/endpoints/{endpoint['id']}"
    admin = await make_operator(OperatorRole.admin)
    page = await admin.page(base)
    assert 'data-open-dialog="editar-endpoint"' in page.text
    assert 'value="https://crm.example.com/hook"' in page.text  # the form starts from what is stored

    edited = await admin.htmx("POST", f"{base}/editar", data=FORM)
    assert edited.status_code == 200, edited.text
    assert _toast(edited) == "Endpoint atualizado." and 'id="endpoint"' in edited.text
    assert "https://parceiro.example.com/novo" in edited.text and "<html" not in edited.text
    row = await _stored(rt, endpoint["id"])
    assert (row.url, row.target_system, row.description) == (
        "https://parceiro.example.com/novo",
        "marketing",
        "Leads ao marketing",
    )
    assert row.event_types == ["lead.created", "client.registered"] and row.retry_schedule == [10, 60, 600]
    [entry] = await _audits(rt)
    assert entry.operator_email == admin.email and entry.target == f"endpoint:{endpoint['id']}"
    assert entry.details == {
        "changed": ["description", "event_types", "retry_schedule", "target_system", "url"]
    }

    # the API reads what the console wrote
    api = (await hub.get(f"/api/endpoints/{endpoint['id']}", headers=auth)).json()
    assert api["target_system"] == "marketing" and api["retry_schedule"] == [10, 60, 600]

    # every type, no retries; then the hub's default again
    none = await admin.htmx("POST", f"{base}/editar", data={**FORM, "eventos": "", "tentativas": "nenhuma"})
    assert "todos os tipos" in none.text and "<dd>nenhuma</dd>" in none.text
    row = await _stored(rt, endpoint["id"])
    assert row.event_types == [] and row.retry_schedule == []
    default = await admin.htmx("POST", f"{base}/editar", data={**FORM, "eventos": "", "tentativas": ""})
    assert "o padrão do hub" in default.text and (await _stored(rt, endpoint["id"])).retry_schedule is None
    same = await admin.htmx("POST", f"{base}/editar", data={**FORM, "eventos": "", "tentativas": ""})
    assert _toast(same) == "Nada mudou no endpoint."
    assert [a.details["changed"] for a in await _audits(rt)][1:] == [
        ["event_types", "retry_schedule"],
        ["retry_schedule"],
        [],
    ]


async def test_a_bad_field_is_refused_in_portuguese_and_nothing_changes(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],  # noqa: F811
    make_operator: MakeOperator,
) -> None:
    endpoint = await create_endpoint(hub, auth, "https://crm.example.com/hook")
    base = f"/endpoints/{endpoint['id']}"
    admin = await make_operator(OperatorRole.admin)
    cases = [
        ({"url": "ftp://x"}, "Informe uma URL http(s) completa"),
        ({"url": "https://user:senha@crm.example.com/"}, "Informe uma URL http(s) completa"),
        (
            {"url": "https://carinhosaúde.com.br/"},
            "Informe uma URL http(s) completa, sem usuário e senha; um domínio",
        ),
        ({"destino": "CRM maiúsculo"}, "Informe o sistema de destino"),
        ({"eventos": "lead created!"}, "Tipos de evento:"),
        ({"tentativas": "10 abc"}, "Novas tentativas: os segundos de espera"),
        ({"tentativas": "9999999"}, "Novas tentativas: no máximo 20 esperas"),
    ]
    for change, message in cases:
        refused = await admin.htmx("POST", f"{base}/editar", data={**FORM, **change})
        assert refused.status_code == 422, change
        assert _message(refused).startswith(message), (change, _message(refused))
    row = await _stored(rt, endpoint["id"])
    assert (row.url, row.target_system) == ("https://crm.example.com/hook", "crm")
    assert await _audits(rt) == []
    missing = await admin.htmx("POST", "/endpoints/999999/editar", data=FORM)
    assert missing.status_code == 404


async def test_only_an_admin_edits(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],  # noqa: F811
    make_operator: MakeOperator,
) -> None:
    endpoint = await create_endpoint(hub, auth, "https://crm.example.com/hook")
    base = f"/endpoints/{endpoint['id']}"
    for role in (OperatorRole.viewer, OperatorRole.operator):
        person = await make_operator(role)
        assert 'data-open-dialog="editar-endpoint"' not in (await person.page(base)).text
        assert (await person.htmx("POST", f"{base}/editar", data=FORM)).status_code == 403, role
    assert (await _stored(rt, endpoint["id"])).url == "https://crm.example.com/hook"
