"""The administrator's and supervisor's settings in the browser: an edited template is what the
next automatic message says (its preview live as she types), a company closure moves the next
opening, a keyword added to an escalation rule escalates the next message with it, an erase request
leaves no trace of the person in the pages, and axe on every screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from tests.browser.conftest import Team
from tests.browser.helpers import message

NEW_WELCOME = "Bom dia, {{primeiro_nome}}! A equipe {{empresa}} já vai falar com você."


@pytest.fixture
def welcome(platform: Platform) -> Iterator[dict[str, Any]]:
    """The welcome template, put back as it was after the test (the platform is the session's)."""
    [template] = [t for t in platform.api("GET", "/api/templates") if t["key"] == "welcome"]
    yield template
    platform.api("PATCH", f"/api/templates/{template['id']}", json={"body": template["body"]})


def test_an_edited_welcome_is_what_the_next_new_contact_receives(
    page: Any, login: Any, team: Team, customer_writes: Any, welcome: dict[str, Any]
) -> None:
    login(team.supervisor)
    page.get_by_role("link", name="Configurações").click()
    page.get_by_role("link", name="Boas-vindas", exact=True).click()
    text = page.get_by_role("textbox", name="Texto")
    text.fill(NEW_WELCOME)
    preview = page.locator("[data-preview]")
    expect(preview).to_have_text("Bom dia, Maria! A equipe Carinho com Você já vai falar com você.")  # live
    text.fill(NEW_WELCOME + " {{apelido}}")
    expect(page.get_by_role("alert")).to_contain_text("Variáveis desconhecidas: apelido")
    text.fill(NEW_WELCOME)
    page.get_by_role("button", name="Salvar modelo").click()
    expect(page.get_by_role("status").filter(has_text="Alterações salvas")).to_be_visible()

    conversation = customer_writes("Olá, queria informações sobre cuidadoras.", name="Leonor Batista")
    page.goto(f"/conversas/{conversation['id']}")
    expect(message(page, "Bom dia, Leonor! A equipe Carinho com Você já vai falar com você.")).to_be_visible()


def test_a_company_closure_tomorrow_moves_the_next_opening(
    page: Any, login: Any, team: Team, platform: Platform
) -> None:
    login(team.supervisor)
    page.goto("/configuracoes/horario")
    next_day = page.locator("[data-next-day-opening] strong")
    before = next_day.inner_text()
    day = re.search(r"(\d{2})/(\d{2})", before)
    assert day, before
    year = page.locator("#calendario-titulo").inner_text().split()[-1]
    iso = f"{year}-{day.group(2)}-{day.group(1)}"
    page.locator("#data-dia").fill(iso)
    page.get_by_label("Descrição").fill("Dedetização do escritório")
    page.get_by_role("button", name="Adicionar data").click()
    try:
        expect(page.get_by_role("status").filter(has_text="Alterações salvas")).to_be_visible()
        expect(next_day).not_to_have_text(before)
        expect(page.locator(f'td[data-day="{iso}"]')).to_contain_text("Dedetização do escritório")
        status = platform.api("GET", "/api/working-hours/status", params={"at": f"{iso}T09:00:00-03:00"})
        assert status["open_now"] is False
    finally:
        page.get_by_role("button", name=re.compile(r"^Remover")).first.click()
    expect(next_day).to_have_text(before)


@pytest.fixture
def threat_rule(platform: Platform) -> Iterator[dict[str, Any]]:
    """The default rule "Ameaça de reclamação formal", put back as it was after the test."""
    [rule] = [
        r for r in platform.api("GET", "/api/escalation/rules") if r["name"] == "Ameaça de reclamação formal"
    ]
    yield rule
    platform.api("PATCH", f"/api/escalation/rules/{rule['id']}", json={"keywords": rule["keywords"]})


def test_a_keyword_added_to_a_rule_escalates_the_next_message_with_it(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform, threat_rule: dict[str, Any]
) -> None:
    login(team.supervisor)
    page.get_by_role("link", name="Configurações").click()
    page.get_by_role("link", name="Regras de escalonamento").click()
    page.get_by_role("link", name="Ameaça de reclamação formal").click()
    keywords = page.get_by_role("textbox", name="Palavras-chave")
    keywords.fill(keywords.input_value() + ", cobrança abusiva")
    page.get_by_role("button", name="Salvar regra").click()
    expect(page.get_by_role("status").filter(has_text="Alterações salvas")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Ameaça de reclamação formal"))).to_contain_text(
        "cobrança abusiva"
    )

    conversation = customer_writes("Recebi uma COBRANCA ABUSIVA na fatura deste mês.", name="Otávio Prado")
    page.goto(f"/conversas/{conversation['id']}")
    expect(page.get_by_title("Nível de atendimento", exact=True).first).to_have_text("Nível N2")
    assert platform.api("GET", f"/api/conversations/{conversation['id']}")["priority"] == "high"


def test_an_erase_request_leaves_no_trace_of_the_person_in_the_pages(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes(
        "Sou a Iolanda Figueira, moro na Rua dos Ipês 45.", name="Iolanda Figueira"
    )
    platform.api("PATCH", f"/api/conversations/{conversation['id']}", json={"status": "resolved"})
    login(team.admin)
    page.get_by_role("link", name="Privacidade").click()
    page.get_by_label("Telefone ou e-mail").fill(conversation["phone_number"])
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator(".privacy-found")).to_contain_text("Iolanda Figueira")
    page.get_by_label("Motivo e origem da solicitação").fill("Pedido da titular por e-mail")
    page.get_by_label(re.compile("Confirmo a exclusão")).check()
    page.get_by_role("button", name="Apagar dados").click()
    row = page.locator("tr.is-highlighted")
    expect(row).to_contain_text("Exclusão")
    expect(row).to_contain_text("Concluída")

    for url in (
        "/conversas?aba=todas&status=todas",
        f"/conversas/{conversation['id']}",
        "/auditoria",
        "/privacidade",
    ):
        page.goto(url)
        expect(page.get_by_role("main")).not_to_contain_text("Iolanda")
        expect(page.get_by_role("main")).not_to_contain_text("Ipês")


@pytest.mark.parametrize("width", ["desktop", "celular"])
def test_the_team_and_settings_screens_are_accessible(page: Any, login: Any, team: Team, width: str) -> None:
    if width == "celular":
        page.set_viewport_size(PHONE)
    login(team.admin)
    page.goto("/equipe")
    expect(page.get_by_role("heading", name="Equipe")).to_be_visible()
    assert_accessible(page, what=f"Equipe ({width})")
    page.get_by_role("button", name="Novo atendente").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, what=f"the new-agent dialog ({width})")
    page.goto("/configuracoes/modelos")
    page.get_by_role("link", name="Boas-vindas", exact=True).click()
    expect(page.locator("[data-preview]")).to_be_visible()
    assert_accessible(page, what=f"Modelos ({width})")
    page.goto("/configuracoes/horario")
    assert_accessible(page, what=f"Horário e feriados ({width})")
    page.goto("/configuracoes/sla")
    assert_accessible(page, what=f"Políticas de SLA ({width})")
    page.goto("/configuracoes/escalonamento?tipo=keyword")
    assert_accessible(page, what=f"Regras de escalonamento ({width})")
    page.get_by_role("button", name=re.compile("^Excluir Ameaça")).click()
    expect(page.get_by_role("dialog", name="Excluir a regra?")).to_be_visible()
    assert_accessible(page, what=f"the delete-rule dialog ({width})")
    page.goto("/configuracoes/triagem")
    assert_accessible(page, what=f"Checklists de triagem ({width})")
    page.get_by_role("link", name=re.compile("^Nova versão")).click()
    page.get_by_role("button", name="↓ Descer pergunta 1", exact=True).click()
    expect(page.get_by_role("button", name="↓ Descer pergunta 2", exact=True)).to_be_focused()
    assert_accessible(page, what=f"the new checklist version ({width})")
    page.goto("/configuracoes/etiquetas")
    page.get_by_role("button", name="Excluir Urgente").click()
    expect(page.get_by_role("dialog", name="Excluir a etiqueta Urgente?")).to_be_visible()
    assert_accessible(page, what=f"Etiquetas and its delete dialog ({width})")
    page.get_by_role("dialog").get_by_role("button", name="Cancelar").click()
    page.locator("summary", has_text="Editar Urgente").click()
    expect(page.locator("details[open] form")).to_be_visible()
    assert_accessible(page, what=f"Etiquetas, a label open for editing ({width})")
    page.goto("/configuracoes/motivos-de-perda")
    assert_accessible(page, what=f"Motivos de perda ({width})")
    page.goto("/configuracoes/retencao")
    assert_accessible(page, what=f"Retenção de dados ({width})")
    page.goto("/auditoria")
    assert_accessible(page, what=f"Auditoria ({width})")
    page.goto("/privacidade?titular=11999990000")
    assert_accessible(page, what=f"Privacidade ({width})")
