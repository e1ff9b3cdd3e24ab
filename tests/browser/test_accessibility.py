"""axe-core on every page and state a person meets: no serious or critical violation (WCAG 2 A/AA,
contrast included), at the desktop width and at a phone's."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from tests.browser.conftest import Team
from tests.browser.helpers import composer, message, open_conversation, row

WIDTHS = pytest.mark.parametrize("width", ["desktop", "celular"])


def _at(page: Any, width: str) -> None:
    if width == "celular":
        page.set_viewport_size(PHONE)


@WIDTHS
def test_the_login_page_and_its_messages(page: Any, team: Team, width: str) -> None:
    _at(page, width)
    page.goto("/entrar")
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    assert_accessible(page, what="login")

    page.get_by_label("E-mail").fill(team.n1.email)
    page.get_by_label("Senha").fill("errada-errada")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, what="login with a wrong password")

    page.goto("/entrar?expirada=1")
    expect(page.get_by_text("Sua sessão expirou")).to_be_visible()
    assert_accessible(page, what="login after the session expired")


def test_the_empty_inbox(page: Any, login: Any, platform: Platform) -> None:
    # Not in the round-robin: nothing is ever assigned to her.
    newcomer = platform.create_agent("Paula Nunes", "paula@carinho.com.vc", level="N1", available=False)
    login(newcomer)
    expect(page.get_by_text("Nenhuma conversa aguardando você")).to_be_visible()
    assert_accessible(page, what="the empty inbox")


@WIDTHS
def test_the_inbox_with_conversations(
    page: Any, login: Any, team: Team, customer_writes: Any, width: str
) -> None:
    customer_writes("Olá! Vocês têm cuidadora para minha mãe?", name="Dona Rosa")
    customer_writes("Preciso de um orçamento para 12 horas por dia.", name="Francisca Rodrigues")
    customer_writes("Qual o valor da diária?", name="Maria Aparecida dos Santos Oliveira de Albuquerque")
    _at(page, width)
    login(team.n1)
    expect(row(page, "Francisca Rodrigues").first).to_be_visible()
    assert_accessible(page, what=f"the inbox ({width})")

    page.get_by_role("searchbox").fill("diária")
    expect(row(page, "Maria Aparecida").first).to_be_visible()
    assert_accessible(page, what=f"the inbox searched ({width})")


@WIDTHS
def test_a_conversation_with_replies_notes_and_its_dialogs(
    page: Any, login: Any, team: Team, customer_writes: Any, width: str
) -> None:
    name = "Gilberto Souza" if width == "desktop" else "Gilda Souto"
    customer_writes("Boa tarde, a cuidadora pode começar amanhã?", name=name)
    _at(page, width)
    login(team.n1)
    open_conversation(page, name)
    composer(page).fill("Pode sim, Gilberto! Qual horário?")
    composer(page).press("Enter")
    expect(message(page, "Qual horário?")).to_be_visible()
    page.get_by_label("Nota interna").check()
    composer(page).fill("Cliente prefere contato à tarde.")
    composer(page).press("Enter")
    expect(message(page, "Cliente prefere contato à tarde.")).to_be_visible()
    assert_accessible(page, what=f"a conversation ({width})")

    page.get_by_role("button", name="Modelos").click()
    expect(page.get_by_role("dialog", name="Enviar modelo de mensagem")).to_be_visible()
    assert_accessible(page, what=f"the templates dialog ({width})")
    page.keyboard.press("Escape")

    if width == "desktop":
        page.get_by_role("region", name="Funil de vendas").get_by_role(
            "button", name="Marcar como perdido"
        ).click()
        expect(page.get_by_role("dialog", name="Marcar como perdido")).to_be_visible()
        assert_accessible(page, what="the loss reason dialog")


def test_a_conversation_with_an_emergency_banner(
    page: Any, login: Any, team: Team, customer_writes: Any
) -> None:
    conversation = customer_writes("Socorro, meu pai desmaiou e não acorda", name="Irene Batista")
    login(team.supervisor)
    page.goto(f"/conversas/{conversation['id']}")
    expect(page.get_by_role("button", name="Reconhecer emergência")).to_be_visible()
    assert_accessible(page, what="a conversation with an emergency")


def test_the_change_password_page_and_its_error(page: Any, login: Any, team: Team) -> None:
    login(team.n2)
    page.goto("/conta/senha")
    expect(page.get_by_role("heading", name="Alterar minha senha")).to_be_visible()
    assert_accessible(page, what="change password")

    page.get_by_role("textbox", name="Senha atual").fill("nao-e-esta-senha")
    page.get_by_role("textbox", name="Nova senha", exact=True).fill("uma-senha-nova-123")
    page.get_by_role("textbox", name="Repita a nova senha").fill("outra-senha-456")
    page.get_by_role("button", name="Salvar nova senha").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, what="change password with an error")


def test_the_keyboard_shortcuts_help(page: Any, login: Any, team: Team) -> None:
    login(team.n2)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Atalhos de teclado")).to_be_visible()
    assert_accessible(page, what="the keyboard shortcuts dialog")


def test_the_not_found_pages(page: Any, login: Any, team: Team) -> None:
    answer = page.goto("/nao-existe")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Página não encontrada")).to_be_visible()
    assert_accessible(page, what="404 without a session")

    login(team.n2)
    page.goto("/nao-existe")
    expect(page.get_by_role("heading", name="Página não encontrada")).to_be_visible()
    assert_accessible(page, what="404 with a session")


def test_the_access_denied_page(page: Any, login: Any, team: Team, customer_writes: Any) -> None:
    conversation = customer_writes("Olá, boa noite.", name="Joana Prates")  # Ana's (N1)
    login(team.n2)
    answer = page.goto(f"/conversas/{conversation['id']}")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", name="Acesso negado")).to_be_visible()
    assert_accessible(page, what="403")
