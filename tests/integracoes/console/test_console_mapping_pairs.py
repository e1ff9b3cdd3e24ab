"""Mapeamentos: an admin creates a new (event type, target system) pair from the list — from the
starter expression or a copy of another pair's active version — and lands on its page; a pair that
exists or a type the hub does not know is refused in pt-BR; viewers and operators may not."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.integracoes.mappings.service import STARTER_SPEC, mapping_service
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.integracoes.webhook_endpoints.schemas import EndpointCreate
from carinho.integracoes.webhook_endpoints.service import webhook_endpoint_service
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator

SAMPLE = json.dumps({"name": "Maria Souza", "phone": "5511912345678"})


async def _seed(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        await mapping_service.seed_defaults(session)
        await session.commit()


def _message(response: httpx.Response) -> str:
    return unquote(response.headers["x-carinho-mensagem"])


def _location(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-location"])["path"])


async def test_an_admin_creates_a_pair_from_the_starter_and_tests_it_on_its_page(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _seed(rt)
    admin = await make_operator(OperatorRole.admin)
    listing = await admin.page("/mapeamentos")
    assert "Novo mapeamento" in listing.text
    assert '<option value="payment.received">' in listing.text  # the known event types
    assert '<option value="operacao">' in listing.text  # and target systems
    assert '<option value="lead.created/zapi">lead.created → zapi (v1)</option>' in listing.text

    created = await admin.htmx(
        "POST",
        "/mapeamentos",
        data={"evento": "payment.received", "destino": "operacao", "descricao": "Pagamentos à operação"},
    )
    assert created.status_code == 200, created.text
    assert _location(created) == "/mapeamentos/payment.received/operacao"
    async with rt.db("integracoes").session() as session:
        [version] = await mapping_service.versions(session, "payment.received", "operacao")
        audit = (
            await session.execute(select(ConsoleAudit).where(ConsoleAudit.action == "mapping_pair_created"))
        ).scalar_one()
    assert (version.version, version.is_active, version.spec) == (1, True, STARTER_SPEC)
    assert version.description == "Pagamentos à operação" and version.created_by == f"console:{admin.email}"
    assert audit.target == "payment.received->operacao" and audit.details == {
        "version": 1,
        "copied_from": None,
    }

    page = await admin.page("/mapeamentos/payment.received/operacao")
    assert page.status_code == 200 and "Editar e testar" in page.text and "v1" in page.text
    tested = await admin.htmx(
        "POST", "/mapeamentos/payment.received/operacao/testar", data={"payload": SAMPLE}
    )
    assert "&#34;event_type&#34;: &#34;payment.received&#34;" in tested.text
    published = await admin.htmx(
        "POST", "/mapeamentos/payment.received/operacao/publicar", data={"spec": "{amount: amount}"}
    )
    assert published.status_code == 200 and "Reverter para v1" in published.text


async def test_a_copy_starts_from_the_other_pairs_active_version(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _seed(rt)
    admin = await make_operator(OperatorRole.admin)
    async with rt.db("integracoes").session() as session:
        # an outbound endpoint's target system is a known one too
        await webhook_endpoint_service.create(
            session, EndpointCreate(url="https://parceiro.example.com/hook", target_system="parceiro")
        )
        await session.commit()
        source = await mapping_service.get_active(session, "lead.created", "zapi")

    created = await admin.htmx(
        "POST",
        "/mapeamentos",
        data={"evento": "lead.created", "destino": "parceiro", "origem": "lead.created/zapi"},
    )
    assert _location(created) == "/mapeamentos/lead.created/parceiro"
    async with rt.db("integracoes").session() as session:
        copy = await mapping_service.get_active(session, "lead.created", "parceiro")
    assert copy.spec == source.spec and copy.version == 1


async def test_an_existing_pair_or_an_unknown_type_is_refused_in_portuguese(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _seed(rt)
    admin = await make_operator(OperatorRole.admin)
    cases = [
        (
            {"evento": "lead.created", "destino": "zapi"},
            409,
            "Já existe um mapeamento de lead.created para zapi: publique uma nova versão na página dele.",
        ),
        ({"evento": "nao.existe", "destino": "crm"}, 422, "Tipo de evento desconhecido: nao.existe."),
        (
            {"evento": "lead.created", "destino": "sistema-x"},
            422,
            "Sistema de destino desconhecido: sistema-x.",
        ),
        ({"evento": "", "destino": "crm"}, 422, "Escolha o tipo de evento e o sistema de destino."),
        ({"evento": "lead.created", "destino": "crm", "origem": "torto"}, 422, "Escolha na lista"),
        (
            {"evento": "payment.received", "destino": "operacao", "origem": "nao.existe/crm"},
            422,
            "O mapeamento escolhido para copiar não tem versão ativa.",
        ),
    ]
    for data, status, message in cases:
        answer = await admin.htmx("POST", "/mapeamentos", data=data)
        assert answer.status_code == status, (data, answer.text)
        assert _message(answer).startswith(message), (data, _message(answer))
    async with rt.db("integracoes").session() as session:
        assert [v.version for v in await mapping_service.versions(session, "lead.created", "zapi")] == [1]
        assert not [r for r in await mapping_service.listing(session, "payment.received", "operacao")]


async def test_only_an_admin_creates_a_pair(rt: Runtime, make_operator: MakeOperator) -> None:
    await _seed(rt)
    for role in (OperatorRole.viewer, OperatorRole.operator):
        person = await make_operator(role)
        assert "Novo mapeamento" not in (await person.page("/mapeamentos")).text
        refused = await person.htmx(
            "POST", "/mapeamentos", data={"evento": "payment.received", "destino": "operacao"}
        )
        assert refused.status_code == 403, role
