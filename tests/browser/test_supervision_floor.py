"""A supervisor's Funil, Satisfação and Ocorrências pages in a real browser: a move the funnel's rules
forbid is refused on the board with the reason; a detractor's answer becomes a follow-up that the
supervisor concludes; axe-core finds nothing serious on the pages at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import eventually
from tests.browser.conftest import Team


def _toast(page: Any, text: str) -> Any:
    return page.locator(".toast", has_text=text)


def _card(page: Any, name: str) -> Any:
    return page.locator(".board-card", has_text=name)


def test_a_move_the_rules_forbid_is_refused_on_the_board(
    page: Any, login: Any, team: Team, customer_writes: Any
) -> None:
    customer_writes("Olá, quanto custa uma cuidadora por mês?", name="Valéria Quadros")
    login(team.supervisor)
    page.goto("/supervisao/funil")
    novo = page.locator(".board-col", has=page.get_by_role("heading", name="Novo"))
    card = novo.locator(".board-card", has_text="Valéria Quadros")
    card.get_by_text("Mover").first.click()
    card.get_by_label("Para a etapa").select_option(label="Ganho")
    card.get_by_role("button", name="Mover").click()
    expect(_toast(page, "Transição não permitida: Novo → Ganho")).to_be_visible()
    expect(novo.locator(".board-card", has_text="Valéria Quadros")).to_be_visible()  # not moved

    card.get_by_label("Para a etapa").select_option(label="Qualificado")
    card.get_by_role("button", name="Mover").click()
    expect(_toast(page, "Lead movido para Qualificado.")).to_be_visible()
    qualified = page.locator(".board-col", has=page.get_by_role("heading", name="Qualificado"))
    expect(qualified.locator(".board-card", has_text="Valéria Quadros")).to_be_visible()
    expect(novo.locator(".board-card", has_text="Valéria Quadros")).to_have_count(0)


def _survey_sent(platform: Platform, conversation_id: int) -> bool:
    surveys = platform.api("GET", f"/api/satisfaction/conversations/{conversation_id}/surveys")
    return any(s["status"] == "sent" for s in surveys)


def test_a_detractor_answer_becomes_a_follow_up_the_supervisor_concludes(
    page: Any, login: Any, team: Team, platform: Platform, customer_writes: Any
) -> None:
    conversation = customer_writes("Preciso de ajuda com a fatura", name="Otávio Brandão")
    conversation_id, number = conversation["id"], conversation["phone_number"]
    platform.api(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Já corrigimos."}, as_=team.n1
    )
    platform.api("PATCH", f"/api/conversations/{conversation_id}", json={"status": "resolved"}, as_=team.n1)
    platform.move_clock(minutes=6)  # past the survey's delay
    try:
        eventually(lambda: _survey_sent(platform, conversation_id), timeout=60, what="the survey")
        platform.phone_sends_and_waits(number, "2", sender_name="Otávio Brandão")
        platform.phone_sends_and_waits(number, "Ninguém me avisou do atraso.", sender_name="Otávio Brandão")
    finally:
        platform.move_clock(minutes=-6)

    login(team.supervisor)
    page.goto("/supervisao/satisfacao")
    followups = page.locator("#acompanhamentos")
    item = followups.locator(".followup", has=page.get_by_role("link", name=f"Conversa #{conversation_id}"))
    expect(item).to_be_visible()
    expect(item.get_by_text("Nota 2")).to_be_visible()
    item.get_by_label("Responsável").select_option(label="Sofia Martins")
    item.get_by_role("button", name="Atribuir").click()
    expect(_toast(page, "Acompanhamento atribuído a Sofia Martins.")).to_be_visible()

    item = followups.locator(".followup", has=page.get_by_role("link", name=f"Conversa #{conversation_id}"))
    item.get_by_label("O que foi feito").fill("Liguei, expliquei o atraso e oferecemos desconto.")
    item.get_by_role("button", name="Concluir").click()
    expect(_toast(page, "Acompanhamento concluído.")).to_be_visible()
    expect(followups.get_by_role("link", name=f"Conversa #{conversation_id}")).to_have_count(0)
    followups.get_by_role("link", name="Concluídos").click()
    expect(followups.get_by_text("Liguei, expliquei o atraso e oferecemos desconto.")).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "celular"])
def test_the_supervisor_pages_are_accessible(
    page: Any, login: Any, team: Team, platform: Platform, customer_writes: Any, width: str
) -> None:
    conversation = customer_writes("Minha mãe caiu e não está respondendo", name="Irene Fagundes")
    incidents = platform.api("GET", f"/api/conversations/{conversation['id']}/incidents")
    if width == "celular":
        page.set_viewport_size(PHONE)
    login(team.supervisor)
    for url, what in (
        ("/supervisao/funil", "Funil"),
        ("/supervisao/satisfacao", "Satisfação"),
        ("/supervisao/ocorrencias", "Ocorrências"),
        (f"/supervisao/ocorrencias/{incidents[0]['id']}", "an emergency"),
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, what=f"{what} ({width})")
    page.goto("/supervisao/funil")
    page.locator(".board-move summary").first.click()
    assert_accessible(page, what=f"the Funil with a move form open ({width})")
