"""Mapeamentos: the list and a pair's versions for every role; the test box (a sample, a stored
event masked, errors in place) for an operator; publish, diff and roll back for an admin, audited."""

from __future__ import annotations

import json
import uuid
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.integracoes.console.mapping_diff import layout
from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import NewEvent
from carinho.integracoes.mappings.models import MappingVersion
from carinho.integracoes.mappings.service import mapping_service
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator

PAIR = "/mapeamentos/lead.created/zapi"
SAMPLE = json.dumps({"name": "Maria Souza", "phone": "5511912345678"})


async def _seed(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        await mapping_service.seed_defaults(session)
        await session.commit()


async def _active(rt: Runtime) -> MappingVersion:
    async with rt.db("integracoes").session() as session:
        return await mapping_service.get_active(session, "lead.created", "zapi")


async def _active_version(rt: Runtime) -> int:
    return (await _active(rt)).version


async def _audit(rt: Runtime, action: str) -> list[ConsoleAudit]:
    async with rt.db("integracoes").session() as session:
        stmt = select(ConsoleAudit).where(ConsoleAudit.action == action).order_by(ConsoleAudit.id)
        return list((await session.execute(stmt)).scalars())


async def test_a_viewer_reads_mappings_and_may_not_change_them(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _seed(rt)
    viewer = await make_operator(OperatorRole.viewer)
    listing = await viewer.page("/mapeamentos")
    assert listing.status_code == 200
    assert f'href="{PAIR}"' in listing.text and "Mensagem automática de boas-vindas" in listing.text
    only_zapi = await viewer.page("/mapeamentos?destino=zapi")
    assert f'href="{PAIR}"' in only_zapi.text and 'href="/mapeamentos/lead.created/crm"' not in only_zapi.text
    nothing = await viewer.page("/mapeamentos?evento=nao.existe")
    assert "Nenhum mapeamento com esses filtros" in nothing.text

    page = await viewer.page(PAIR)
    assert page.status_code == 200
    assert "Versão ativa" in page.text and "v1" in page.text
    assert "phone: phone," in page.text  # the one-line spec laid out a key per line
    assert "Só existe uma versão" in page.text
    assert "Testar" not in page.text and "Publicar nova versão" not in page.text
    for url in (f"{PAIR}/testar", f"{PAIR}/publicar", f"{PAIR}/versoes/1/ativar"):
        assert (await viewer.htmx("POST", url, data={"payload": SAMPLE})).status_code == 403, url


async def test_an_unknown_pair_is_a_clear_404(rt: Runtime, make_operator: MakeOperator) -> None:
    viewer = await make_operator(OperatorRole.viewer)
    page = await viewer.page("/mapeamentos/nao.existe/crm")
    assert page.status_code == 404 and "Não há mapeamento de nao.existe para crm." in page.text
    bad = await viewer.page("/mapeamentos/tipo%20com%20espaco/crm")
    assert bad.status_code == 404 and "<html" in bad.text  # an address that cannot exist


async def test_an_operator_tests_a_sample_a_stored_event_and_sees_errors_in_place(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    await _seed(rt)
    operator = await make_operator(OperatorRole.operator)
    page = await operator.page(PAIR)
    assert "Testar" in page.text and "Publicar nova versão" not in page.text

    result = await operator.htmx("POST", f"{PAIR}/testar", data={"payload": SAMPLE})
    assert result.status_code == 200 and 'id="resultado-teste"' in result.text
    assert "Olá, Maria! Aqui é a Carinho com Você" in result.text and "versão ativa v1" in result.text

    # the editor starts with the active spec laid out: left as it is, it is still the active version
    laid_out = "\n".join(layout((await _active(rt)).spec))
    as_is = await operator.htmx("POST", f"{PAIR}/testar", data={"payload": SAMPLE, "spec": laid_out})
    assert "versão ativa v1" in as_is.text and "Olá, Maria!" in as_is.text
    edited = await operator.htmx(
        "POST", f"{PAIR}/testar", data={"payload": SAMPLE, "spec": "{para: phone, nome: name}"}
    )
    assert "expressão editada" in edited.text and "&#34;para&#34;: &#34;5511912345678&#34;" in edited.text
    no_phone = await operator.htmx("POST", f"{PAIR}/testar", data={"payload": '{"name": "Ana"}'})
    assert "nada seria enviado" in no_phone.text

    for data, message in (
        ({"payload": "{nome: "}, "O exemplo não é um JSON válido (linha 1, coluna 2)."),
        ({"payload": "[1, 2]"}, "O exemplo deve ser um objeto JSON"),
        ({}, "Cole um exemplo de payload (JSON) ou informe o número de um evento."),
        ({"evento_id": "abc"}, "Informe o número do evento (só dígitos)."),
        ({"evento_id": "999999"}, "Evento não encontrado."),
        ({"payload": SAMPLE, "spec": "{a: "}, "A expressão falhou"),
    ):
        answer = await operator.htmx("POST", f"{PAIR}/testar", data=data)
        assert answer.status_code == 200 and 'role="alert"' in answer.text, data
        assert message in answer.text, (data, answer.text)

    stored = await ingest(
        rt,
        NewEvent(
            source="site",
            event_type="lead.created",
            idempotency_key=uuid.uuid4().hex,
            payload={"name": "Joana Prado", "phone": "5511987654321"},
        ),
    )
    from_event = await operator.htmx("POST", f"{PAIR}/testar", data={"evento_id": str(stored.event_id)})
    assert "Dados pessoais mascarados." in from_event.text
    assert "5511987654321" not in from_event.text and "Joana" not in from_event.text
    tested = await _audit(rt, "mapping_tested")
    assert tested[-1].details["event_id"] == stored.event_id and tested[-1].target == "lead.created->zapi"


async def test_an_admin_publishes_compares_and_rolls_back(rt: Runtime, make_operator: MakeOperator) -> None:
    await _seed(rt)
    admin = await make_operator(OperatorRole.admin)
    page = await admin.page(PAIR)
    assert "Editar e testar" in page.text and "Publicar nova versão" in page.text

    new_spec = "phone && {phone: phone, message: concat('Oi, ', first_name(name), '!')} || null"
    published = await admin.htmx(
        "POST", f"{PAIR}/publicar", data={"spec": new_spec, "descricao": "Boas-vindas curta"}
    )
    assert published.status_code == 200, published.text
    assert _toast(published) == "Versão 2 publicada e ativa."
    assert 'id="mapeamento"' in published.text and "<html" not in published.text
    assert published.text.count(">ativa</span>") == 1  # v1 is no longer shown as active
    assert await _active_version(rt) == 2
    [entry] = await _audit(rt, "mapping_published")
    assert entry.operator_email == admin.email and entry.details == {"version": 2}

    # the diff between v1 and v2, line by line, saying what each changed line is
    compare = await admin.htmx("GET", f"{PAIR}/comparar?de=1&para=2")
    assert compare.status_code == 200 and 'id="comparacao"' in compare.text
    assert "Adicionada: </span>" in compare.text and "Removida: </span>" in compare.text
    assert "concat(&#39;Oi, &#39;" in compare.text
    same = await admin.page(f"{PAIR}?de=2&para=2")
    assert "as expressões são iguais" in same.text
    assert (await admin.page(f"{PAIR}?de=1&para=9")).status_code == 404

    unchanged = await admin.htmx("POST", f"{PAIR}/publicar", data={"spec": new_spec})
    assert unchanged.status_code == 422
    assert "igual à da versão ativa" in _message(unchanged)
    broken = await admin.htmx("POST", f"{PAIR}/publicar", data={"spec": "{phone: "})
    assert broken.status_code == 422 and _message(broken).startswith("A expressão não é válida")
    assert await _active_version(rt) == 2

    # roll back to v1
    page = await admin.page(PAIR)
    assert "Reverter para v1" in page.text
    rolled = await admin.htmx("POST", f"{PAIR}/versoes/1/ativar")
    assert rolled.status_code == 200
    assert _toast(rolled) == "Versão 1 ativa (reversão)."
    assert await _active_version(rt) == 1
    assert rolled.text.count(">ativa</span>") == 1
    [activated] = await _audit(rt, "mapping_activated")
    assert activated.details == {"version": 1, "previous_version": 2}
    assert (await admin.htmx("POST", f"{PAIR}/versoes/7/ativar")).status_code == 404


def _message(response: httpx.Response) -> str:
    return unquote(response.headers["x-carinho-mensagem"])


def _toast(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-trigger"])["carinho-toast"]["message"])
