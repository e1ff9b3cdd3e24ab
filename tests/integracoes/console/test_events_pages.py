"""Eventos: the list (filters, contact search by keyed hash, paging, the live block), the detail
(steps, deliveries, masked payload, mappings), reveal (admin, audited), retry and replay (operator)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.mappings.service import mapping_service
from carinho.integracoes.operators.models import ConsoleAudit, OperatorRole
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.console.hub_data import FAILING_STEP, TWO_STEPS, failed_event, processed_event
from tests.integracoes.processing import (
    auth,
    create_endpoint,
    event_row,
    hook,
    receiver,
    steps_of,
    submit_event,
)
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

__all__ = ["auth", "hook", "receiver"]

ROW = re.compile(r'<tr id="evento-(\d+)"')


def listed(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


async def audit_actions(rt: Runtime) -> list[tuple[str, str | None]]:
    async with rt.db("integracoes").session() as session:
        rows = (await session.execute(select(ConsoleAudit).order_by(ConsoleAudit.id))).scalars().all()
        return [(r.action, r.target) for r in rows]


async def test_an_empty_list_says_so_and_the_nav_has_the_screens(make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    page = await viewer.page("/eventos")
    assert page.status_code == 200
    assert "Nenhum evento recebido ainda" in page.text
    assert 'href="/eventos" aria-current="page"' in page.text and 'href="/dlq"' in page.text
    filtered = await viewer.page("/eventos?tipo=lead.created")
    assert "Nenhum evento com esses filtros" in filtered.text


async def test_filters_newest_first_and_paging(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    early = await submit_event(hub, auth, "tests.console_other", {"a": 1}, source="site")
    clock.advance(timedelta(days=2))
    viewer = await make_operator()  # after the clock moved: its session is fresh
    ids = [await submit_event(hub, auth, TWO_STEPS, {"n": i}) for i in range(52)]
    await drain(rt)

    first = await viewer.page("/eventos")
    assert listed(first.text) == sorted(ids, reverse=True)[:50]
    more = re.search(r'hx-get="(/eventos/mais\?[^"]+)"', first.text)
    assert more, "no Carregar mais"
    rest = await viewer.page(more.group(1).replace("&amp;", "&"))
    assert listed(rest.text) == [*sorted(ids, reverse=True)[50:], early] and "Carregar mais" not in rest.text

    assert listed((await viewer.page("/eventos?origem=site")).text) == [early]
    assert listed((await viewer.page("/eventos?tipo=tests.console_other")).text) == [early]
    assert listed((await viewer.page("/eventos?situacao=ignored")).text) == [early]
    processed = listed((await viewer.page(f"/eventos?situacao=processed&tipo={TWO_STEPS}")).text)
    assert len(processed) == 50
    key = (await event_row(rt, early)).idempotency_key
    assert listed((await viewer.page(f"/eventos?chave={key}")).text) == [early]
    today = clock.utcnow().astimezone(clock_tz()).date()
    two_days_ago = (today - timedelta(days=2)).isoformat()
    assert listed((await viewer.page(f"/eventos?de={two_days_ago}&ate={two_days_ago}")).text) == [early]
    assert early not in listed((await viewer.page(f"/eventos?de={today.isoformat()}")).text)


def clock_tz():  # type: ignore[no-untyped-def]
    from carinho.kit.ui.formatting import LOCAL_TZ

    return LOCAL_TZ


async def test_bad_filters_get_a_clear_page(make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    for url, text in (
        ("/eventos?de=31-12-2026", "Data inválida"),
        ("/eventos?de=2026-12-05&ate=2026-12-01", "termina antes de começar"),
        ("/eventos?situacao=sumido", "escolha uma opção da lista"),
        ("/eventos?contato=abc", "Telefone ou e-mail inválido"),
    ):
        page = await viewer.page(url)
        assert page.status_code == 400, url
        assert text in page.text and "Traceback" not in page.text


async def test_search_by_phone_or_email_finds_the_event_by_a_keyed_hash(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    viewer = await make_operator()
    mine = await submit_event(
        hub,
        auth,
        "lead.created",
        {"lead": {"name": "Maria", "phone": "+55 (11) 98765-4321", "email": "Maria.Souza@Example.com.br"}},
        source="site",
    )
    zapi = await submit_event(hub, auth, "tests.console_zapi", {"phone": "551187654321"}, source="zapi")
    other = await submit_event(hub, auth, "lead.created", {"lead": {"phone": "11955550101"}}, source="site")
    for typed in ("11 98765-4321", "5511987654321", "(11) 8765-4321"):
        assert sorted(listed((await viewer.page(f"/eventos?contato={typed}")).text)) == [mine, zapi], typed
    assert listed((await viewer.page("/eventos?contato=maria.souza@example.com.br")).text) == [mine]
    assert listed((await viewer.page("/eventos?contato=11955550101")).text) == [other]
    async with rt.db("integracoes").session() as session:
        row = await session.get(IntegrationEvent, mine)
        assert row is not None and row.contact_phone_hash and row.contact_email_hash
        assert "98765" not in row.contact_phone_hash and "maria" not in row.contact_email_hash
    # Through the JSON API, the same search.
    api = await hub.get("/api/events", params={"contact": "maria.souza@example.com.br"}, headers=auth)
    assert [e["id"] for e in api.json()["items"]] == [mine]


async def test_the_live_block_brings_new_events_and_fresh_statuses(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    viewer = await make_operator()
    first = await submit_event(hub, auth, TWO_STEPS)
    page = await viewer.page("/eventos")
    poll = re.search(
        r'<tbody id="eventos-recentes" hx-get="([^"]+)" '
        r'hx-trigger="carinho-live from:body throttle:2s, carinho-live from:body delay:2500ms, every 30s"',
        page.text,
    )
    assert poll and listed(page.text) == [first] and "recebido" in page.text
    second = await submit_event(hub, auth, TWO_STEPS)
    await drain(rt)
    block = await viewer.htmx("GET", poll.group(1).replace("&amp;", "&"))
    assert block.status_code == 200 and block.text.lstrip().startswith('<tbody id="eventos-recentes"')
    assert (
        listed(block.text) == [second, first] and "processado" in block.text and "recebido" not in block.text
    )


async def test_detail_shows_failed_steps_deliveries_masked_payload_and_mappings(
    rt: Runtime,
    hub: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
    make_operator: MakeOperator,
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook), target_system="financeiro", retry_schedule=[])
    receiver.plan(hook, Reply(503, body=b'{"erro":"manutencao"}'))
    delivered = await processed_event(hub, rt, auth)
    failed = await failed_event(hub, rt, auth)
    viewer = await make_operator()

    page = await viewer.page(f"/eventos/{failed}")
    assert page.status_code == 200
    text = page.text
    assert f"Evento #{failed}" in text and "na DLQ" in text and FAILING_STEP in text
    assert "CRM answered 422: lead *** rejected" in text  # the step's error, masked
    assert "98765" not in text and "maria.souza" not in text.lower()  # the payload, masked
    assert "Revelar" not in text and "Reenviar evento" not in text  # a viewer reads only
    assert "pendente" in text  # the delivery step never ran

    page = await viewer.page(f"/eventos/{delivered}")
    assert "financeiro" in page.text and "503" in page.text and "manutencao" in page.text
    assert "Nenhum mapeamento ativo para este tipo" in page.text

    async with rt.db("integracoes").session() as session:
        await mapping_service.seed_defaults(session)
        await session.commit()
    lead = await submit_event(
        hub,
        auth,
        "lead.created",
        {"name": "Ana Lima", "phone": "11912345678", "email": "ana@example.com.br"},
        "site",
    )
    page = await viewer.page(f"/eventos/{lead}")
    assert "Mapeamentos" in page.text and "versão 1" in page.text and "912345678" not in page.text
    assert "Nenhuma etapa ainda" in page.text

    missing = await viewer.page("/eventos/999999")
    assert missing.status_code == 404 and "O evento 999999 não existe." in missing.text


async def test_an_admin_reveals_the_payload_and_it_is_audited(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    event_id = await failed_event(hub, rt, auth)
    admin = await make_operator(OperatorRole.admin)
    page = await admin.page(f"/eventos/{event_id}")
    assert "Revelar" in page.text and "(11) 98765-4321" not in page.text
    revealed = await admin.htmx("POST", f"/eventos/{event_id}/revelar")
    assert revealed.status_code == 200
    assert "(11) 98765-4321" in revealed.text and "registrado na auditoria" in revealed.text
    assert ("payload_revealed", f"event:{event_id}") in await audit_actions(rt)

    operator = await make_operator(OperatorRole.operator)
    refused = await operator.htmx("POST", f"/eventos/{event_id}/revelar")
    assert refused.status_code == 403 and "98765" not in refused.text


async def test_an_operator_retries_a_dead_event_and_a_viewer_may_not(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    event_id = await failed_event(hub, rt, auth)
    viewer = await make_operator()
    refused = await viewer.htmx("POST", f"/eventos/{event_id}/reenviar")
    assert refused.status_code == 403
    assert "exige o papel operador" in unquote(refused.headers["x-carinho-mensagem"])
    assert (await event_row(rt, event_id)).status == "dead"

    operator = await make_operator(OperatorRole.operator)
    page = await operator.page(f"/eventos/{event_id}")
    assert "Reenviar evento" in page.text and "Reprocessar a partir de uma etapa" in page.text
    answer = await operator.htmx("POST", f"/eventos/{event_id}/reenviar")
    assert answer.status_code == 200 and f'"path": "/eventos/{event_id}"' in answer.headers["hx-location"]
    assert "reenviado" in answer.headers["hx-trigger"]
    assert (await event_row(rt, event_id)).status == "received"
    assert ("event_retried", f"event:{event_id}") in await audit_actions(rt)

    again = await operator.htmx("POST", f"/eventos/{event_id}/reenviar")
    assert again.status_code == 409
    assert "só eventos com falha ou na DLQ podem ser reenviados" in unquote(
        again.headers["x-carinho-mensagem"]
    )

    # Without JavaScript: the form posts and the browser is sent back to the event.
    await drain(rt)
    plain = await operator.form(f"/eventos/{event_id}/reenviar", {})
    assert plain.status_code == 303 and plain.headers["location"] == f"/eventos/{event_id}"


async def test_replay_from_a_step_runs_it_and_the_later_ones_again(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], make_operator: MakeOperator
) -> None:
    event_id = await processed_event(hub, rt, auth)
    operator = await make_operator(OperatorRole.operator)
    answer = await operator.htmx(
        "POST", f"/eventos/{event_id}/reprocessar", data={"etapa": "deliver_webhooks"}
    )
    assert answer.status_code == 200, answer.headers
    steps = {s.name: s.status for s in await steps_of(rt, event_id)}
    assert steps == {"tests.console_first": "done", "deliver_webhooks": "pending"}
    assert (await event_row(rt, event_id)).status == "received"
    await drain(rt)
    event = await event_row(rt, event_id)
    assert event.status == "processed" and event.attempts == 2
    assert ("event_replayed", f"event:{event_id}") in await audit_actions(rt)

    unknown = await operator.htmx("POST", f"/eventos/{event_id}/reprocessar", data={"etapa": "nao.existe"})
    assert unknown.status_code == 404
    # The JSON API: the same service.
    api = await hub.post(
        f"/api/events/{event_id}/replay", json={"from_step": "tests.console_first"}, headers=auth
    )
    assert api.status_code == 202 and api.json()["steps_to_run"] == [
        "tests.console_first",
        "deliver_webhooks",
    ]
    busy = await hub.post(
        f"/api/events/{event_id}/replay", json={"from_step": "tests.console_first"}, headers=auth
    )
    assert busy.status_code == 409
