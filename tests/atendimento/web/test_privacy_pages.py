"""Privacidade (LGPD), an administrator's screen: an administrator finds a person by phone or e-mail,
exports their data, erases it — after which no page shows the person — and reads the request log; a
supervisor neither sees the menu item nor opens the page."""

from __future__ import annotations

import html

import httpx
import pytest

from carinho.atendimento.agents.models import Role
from carinho.atendimento.web import privacy
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at, post_webhook, received
from tests.atendimento.web.conftest import MakePerson

PHONE = "5511955557777"


async def customer(client: httpx.AsyncClient, message_id: str, text: str) -> int:
    payload = received(
        message_id, phone=PHONE, text=text, senderName="Glória Pacheco", chatName="Glória Pacheco"
    )
    response = await post_webhook(client, payload)
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def test_find_export_and_erase_leave_no_trace_in_the_pages(
    make_person: MakePerson, atendimento: httpx.AsyncClient
) -> None:
    freeze_at(OPEN_INSTANT)
    admin = await make_person(Role.admin)
    conversation = await customer(atendimento, "LGPD-1", "Minha mãe mora na Rua das Acácias, 120.")
    await admin.form(f"/conversas/{conversation}/status", {"status": "resolved"})  # active ones are kept

    found = html.unescape((await admin.page("/privacidade?titular=(11) 95555-7777")).text)
    assert "1 contato(s)" in found and "Glória Pacheco" in found

    exported = await admin.form(
        "/privacidade/solicitacoes",
        {"identifier": "(11) 95555-7777", "kind": "export", "reason": "Pedido por e-mail"},
    )
    assert exported.status_code == 303
    log = html.unescape((await admin.page(exported.headers["location"])).text)
    assert "Exportação" in log and "Baixar JSON" in log and "1 conversa(s)" in log

    refused = await admin.form(
        "/privacidade/solicitacoes", {"identifier": "(11) 95555-7777", "kind": "erase", "reason": "Pedido"}
    )
    assert refused.status_code == 400 and "Confirme a exclusão" in refused.text

    erased = await admin.form(
        "/privacidade/solicitacoes",
        {"identifier": "(11) 95555-7777", "kind": "erase", "reason": "Pedido do titular", "confirm": "sim"},
    )
    assert erased.status_code == 303
    pages_seen = [
        await admin.page("/conversas?aba=todas&status=todas"),
        await admin.page(f"/conversas/{conversation}"),
        await admin.page(f"/conversas/{conversation}/painel"),
        await admin.page("/auditoria"),
        await admin.page(erased.headers["location"]),
    ]
    for page in pages_seen:
        text = html.unescape(page.text)
        assert "Glória" not in text and "Acácias" not in text and "95555-7777" not in text, page.url
    assert "Exclusão" in html.unescape(pages_seen[-1].text)
    again = html.unescape((await admin.page("/privacidade?titular=(11) 95555-7777")).text)
    assert "Nenhum contato" in again


async def test_bad_identifiers_are_answered_in_pt_br(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    bad = await admin.page("/privacidade?titular=123")
    assert bad.status_code == 422 and "Telefone inválido" in html.unescape(bad.text)
    email = await admin.page("/privacidade?titular=a@")
    assert email.status_code == 200 and "Nenhum contato" in html.unescape(email.text)
    nothing = await admin.form(
        "/privacidade/solicitacoes", {"identifier": "", "kind": "export", "reason": "xyz"}
    )
    assert nothing.status_code == 400 and "Informe o telefone ou o e-mail" in html.unescape(nothing.text)


async def test_privacy_is_the_administrators_screen_only(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    supervisor = await make_person(Role.supervisor)
    assert 'href="/privacidade"' in (await admin.page("/supervisao/dashboard")).text
    menu = (await supervisor.page("/supervisao/dashboard")).text
    assert 'href="/privacidade"' not in menu and 'href="/auditoria"' in menu
    refused = await supervisor.page("/privacidade")
    assert refused.status_code == 403 and "Acesso negado" in refused.text
    posted = await supervisor.form(
        "/privacidade/solicitacoes", {"identifier": "11955557777", "kind": "export", "reason": "Pedido"}
    )
    assert posted.status_code == 403


async def test_the_request_log_is_paged(make_person: MakePerson, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(privacy, "LOG_SIZE", 1)
    admin = await make_person(Role.admin)
    for identifier in ("(11) 91111-0001", "(11) 91111-0002"):  # nobody: each is logged as "no data"
        created = await admin.form(
            "/privacidade/solicitacoes", {"identifier": identifier, "kind": "export", "reason": "Pedido"}
        )
        assert created.status_code == 303, created.text
    newest = html.unescape((await admin.page("/privacidade")).text)
    assert newest.count('<tr id="solicitacao-') == 1 and 'href="/privacidade?pagina=2" rel="next"' in newest
    older = html.unescape((await admin.page("/privacidade?pagina=2")).text)
    assert older.count('<tr id="solicitacao-') == 1 and 'rel="next"' not in older and 'rel="prev"' in older
    assert older.split('<tr id="solicitacao-')[1][:4] != newest.split('<tr id="solicitacao-')[1][:4]
