"""DLQ: the list (filters, empty states), an item's detail with its attempts, retry, archive, delete
(operator, audited; a viewer refused), and the bulk replay of a filter after its preview."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select

from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.console.hub_data import failed_event
from tests.integracoes.processing import auth, create_endpoint, dead_letters, hook, receiver, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

__all__ = ["auth", "hook", "receiver"]

ROW = re.compile(r'<tr id="item-(\d+)"')


def listed(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def message(response: httpx.Response) -> str:
    return unquote(response.headers.get("x-carinho-mensagem", ""))


async def audit_actions(rt: Runtime) -> list[str]:
    async with rt.db("integracoes").session() as session:
        return [r.action for r in (await session.execute(select(ConsoleAudit))).scalars()]


async def item(rt: Runtime, item_id: int) -> DeadLetter | None:
    async with rt.db("integracoes").session() as session:
        return await session.get(DeadLetter, item_id)


@pytest.fixture
async def dead(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> dict[str, int]:
    """A dead delivery to crm (yesterday), one to financeiro (now), and a dead step (now)."""
    await create_endpoint(hub, auth, receiver.url(hook + "/crm"), retry_schedule=[])
    receiver.plan(hook + "/crm", Reply(503, body=b'{"erro":"crm em manutencao"}'))
    await submit_event(hub, auth)
    await drain(rt)
    clock.advance(timedelta(days=1))
    await create_endpoint(
        hub, auth, receiver.url(hook + "/fin"), target_system="financeiro", retry_schedule=[]
    )
    receiver.plan(hook + "/crm", Reply(200))
    receiver.plan(hook + "/fin", Reply(404))
    await submit_event(hub, auth, source="financeiro")
    await drain(rt)
    await failed_event(hub, rt, auth)
    items = await dead_letters(rt)
    by = {(i.kind, i.target_system): i.id for i in items}
    return {
        "crm": by[("delivery", "crm")],
        "financeiro": by[("delivery", "financeiro")],
        "step": by[("step", None)],
    }


async def test_an_empty_dlq_says_so(make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    page = await viewer.page("/dlq")
    assert page.status_code == 200 and "A DLQ está vazia" in page.text
    assert "Reenviar os abertos" not in page.text  # a viewer is not offered the actions
    assert "Nenhum item com esses filtros" in (await viewer.page("/dlq?destino=crm")).text


async def test_list_and_filters(dead: dict[str, int], make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    page = await viewer.page("/dlq")
    assert listed(page.text) == sorted(dead.values(), reverse=True)
    assert "3 em aberto" in page.text and "503" in page.text
    assert listed((await viewer.page("/dlq?destino=financeiro")).text) == [dead["financeiro"]]
    assert listed((await viewer.page("/dlq?tipo=tests.console_failing")).text) == [dead["step"]]
    today = clock.utcnow().astimezone(_tz()).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert listed((await viewer.page(f"/dlq?de={yesterday}&ate={yesterday}")).text) == [dead["crm"]]
    assert listed((await viewer.page("/dlq?situacao=archived")).text) == []
    assert (await viewer.page("/dlq?situacao=qualquer")).status_code == 400
    assert (await viewer.page("/dlq?destino=crm&de=ontem")).status_code == 400


def _tz():  # type: ignore[no-untyped-def]
    from carinho.kit.ui.formatting import LOCAL_TZ

    return LOCAL_TZ


async def test_the_live_block_brings_new_items_fresh_statuses_and_the_open_count(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    first = await failed_event(hub, rt, auth)
    viewer = await make_operator()
    page = await viewer.page("/dlq?situacao=todas")
    poll = re.search(
        r'<tbody id="dlq-recentes" hx-get="([^"]+)" '
        r'hx-trigger="carinho-live from:body throttle:2s, carinho-live from:body delay:2500ms, every 30s"',
        page.text,
    )
    [first_item] = listed(page.text)
    assert poll and "1 em aberto" in page.text
    assert (await item(rt, first_item)) is not None and first

    second = await failed_event(hub, rt, auth)
    async with rt.db("integracoes").session() as session:
        archived = await session.get(DeadLetter, first_item)
        assert archived is not None
        archived.status = "archived"
        await session.commit()
    block = await viewer.htmx("GET", poll.group(1).replace("&amp;", "&"))
    assert block.status_code == 200 and '<tbody id="dlq-recentes"' in block.text
    [second_item, again] = listed(block.text)
    assert again == first_item and second_item > first_item and second
    assert "arquivado" in block.text  # the first item's new status, in place
    summary = await viewer.htmx("GET", "/dlq/resumo")  # the heading, drawn again beside it
    assert summary.status_code == 200 and summary.text.lstrip().startswith('<span id="dlq-resumo"')
    assert "1 em aberto" in summary.text


async def test_detail_of_a_delivery_and_of_a_step(dead: dict[str, int], make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    page = await viewer.page(f"/dlq/{dead['crm']}")
    assert page.status_code == 200
    assert "entrega para <strong>crm</strong>" in page.text and "Tentativas" in page.text
    assert "crm em manutencao" in page.text and "503" in page.text
    assert "Reenviar" not in page.text and "Excluir" not in page.text  # a viewer reads only
    step = await viewer.page(f"/dlq/{dead['step']}")
    assert (
        "tests.console_crm_call" in step.text
        and "lead *** rejected" in step.text
        and "98765" not in step.text
    )
    missing = await viewer.page("/dlq/999999")
    assert missing.status_code == 404 and "não está na DLQ" in missing.text


async def test_viewer_is_refused_every_action(
    rt: Runtime, dead: dict[str, int], make_operator: MakeOperator
) -> None:
    viewer = await make_operator()
    for action in ("reenviar", "arquivar", "excluir"):
        refused = await viewer.htmx("POST", f"/dlq/{dead['crm']}/{action}")
        assert refused.status_code == 403 and "exige o papel operador" in message(refused), action
    assert (await viewer.htmx("POST", "/dlq/reenviar")).status_code == 403
    assert (await viewer.htmx("GET", "/dlq/previa")).status_code == 403
    still = await item(rt, dead["crm"])
    assert still is not None and still.status == "open"


async def test_retry_archive_and_delete(
    rt: Runtime, dead: dict[str, int], make_operator: MakeOperator
) -> None:
    operator = await make_operator(OperatorRole.operator)
    page = await operator.page(f"/dlq/{dead['crm']}")
    assert "Reenviar" in page.text and "Arquivar" in page.text and "Excluir item da DLQ" in page.text

    answer = await operator.htmx("POST", f"/dlq/{dead['crm']}/reenviar")
    assert answer.status_code == 200 and "reenviado" in answer.headers["hx-trigger"]
    await drain(rt)  # the receiver answers 200 now
    retried = await item(rt, dead["crm"])
    assert retried is not None and retried.status == "resolved"
    again = await operator.htmx("POST", f"/dlq/{dead['crm']}/reenviar")
    assert again.status_code == 409 and "só itens abertos" in message(again)

    archived = await operator.htmx("POST", f"/dlq/{dead['financeiro']}/arquivar")
    assert archived.status_code == 200
    row = await item(rt, dead["financeiro"])
    assert row is not None and row.status == "archived"

    deleted = await operator.htmx("POST", f"/dlq/{dead['step']}/excluir")
    assert deleted.status_code == 200 and '"path": "/dlq"' in deleted.headers["hx-location"]
    assert await item(rt, dead["step"]) is None
    assert {"dlq_retried", "dlq_archived", "dlq_deleted"} <= set(await audit_actions(rt))


async def test_bulk_replay_previews_then_sends_the_filter(
    rt: Runtime, dead: dict[str, int], make_operator: MakeOperator
) -> None:
    operator = await make_operator(OperatorRole.operator)
    page = await operator.page("/dlq")
    assert "Reenviar os abertos deste filtro" in page.text
    preview = await operator.htmx("GET", "/dlq/previa")
    assert "Reenviar 3 itens?" in preview.text
    only_crm = await operator.htmx("GET", "/dlq/previa?destino=crm")
    assert "Reenviar 1 item?" in only_crm.text and 'name="destino" value="crm"' in only_crm.text
    none = await operator.htmx("GET", "/dlq/previa?destino=cuidadores")
    assert "Nenhum item aberto" in none.text

    sent = await operator.htmx("POST", "/dlq/reenviar", data={"destino": "crm"})
    assert sent.status_code == 200 and "1 item reenviado" in sent.headers["hx-trigger"]
    crm = await item(rt, dead["crm"])
    fin = await item(rt, dead["financeiro"])
    assert crm is not None and crm.status == "retrying" and fin is not None and fin.status == "open"
    assert "Reenviar 2 itens?" in (await operator.htmx("GET", "/dlq/previa")).text
    assert "dlq_bulk_retried" in await audit_actions(rt)
