"""Logging in and out through the pages, as a person does."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Team


def test_an_attendant_logs_in_and_lands_on_her_conversations(page: Any, team: Team) -> None:
    page.goto("/conversas")
    # Not logged in: the login page, which brings her back to where she was going.
    expect(page).to_have_url(re.compile(r"/entrar\?proxima=%2Fconversas"))
    expect(page.get_by_role("heading", name="Entrar")).to_be_visible()

    page.get_by_label("E-mail").fill(team.n1.email)
    page.get_by_label("Senha").fill(team.n1.password)
    page.get_by_role("button", name="Entrar").click()

    expect(page).to_have_url(re.compile(r"/conversas$"))
    expect(page.get_by_role("heading", name="Conversas", exact=True)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Ana Lima")


def test_a_wrong_password_is_refused_with_a_message_and_the_e_mail_kept(page: Any, team: Team) -> None:
    page.goto("/entrar")
    page.get_by_label("E-mail").fill(team.n1.email)
    page.get_by_label("Senha").fill("senha-errada-123")
    page.get_by_role("button", name="Entrar").click()

    expect(page.get_by_role("alert")).to_have_text("E-mail ou senha inválidos.")
    expect(page).to_have_url(re.compile(r"/entrar"))
    expect(page.get_by_label("E-mail")).to_have_value(team.n1.email)
    expect(page.get_by_label("Senha")).to_have_value("")
    # Nothing behind the login opened.
    page.goto("/conversas")
    expect(page).to_have_url(re.compile(r"/entrar"))


def test_logging_out_ends_the_session(page: Any, login: Any, team: Team) -> None:
    login(team.n2)
    page.get_by_text("Bruno Reis", exact=True).click()  # the account menu
    page.get_by_role("button", name="Sair").click()

    expect(page).to_have_url(re.compile(r"/entrar\?saiu=1"))
    expect(page.get_by_role("status").filter(has_text="Você saiu")).to_have_text("Você saiu. Até logo!")
    page.goto("/conversas")
    expect(page).to_have_url(re.compile(r"/entrar"))
