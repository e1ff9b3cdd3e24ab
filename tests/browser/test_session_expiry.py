"""A session ends 12 hours after login: the next page says so and, after logging in again, returns
to where the attendant was."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.platform import Platform
from tests.browser.conftest import Team

THIRTEEN_HOURS = 13 * 60


@pytest.mark.moves_clock
def test_after_thirteen_hours_the_next_page_asks_to_log_in_again_saying_the_session_expired(
    page: Any, login: Any, team: Team, platform: Platform
) -> None:
    login(team.n1)
    page.goto("/conta/senha")
    expect(page.get_by_role("heading", name="Alterar minha senha")).to_be_visible()

    platform.move_clock(minutes=THIRTEEN_HOURS)
    try:
        page.get_by_role("link", name="Conversas").click()

        expect(page).to_have_url(re.compile(r"/entrar\?.*expirada=1"))
        notice = page.get_by_role("status").filter(has_text="expirou")
        expect(notice).to_have_text("Sua sessão expirou. Entre novamente para continuar.")

        page.get_by_label("E-mail").fill(team.n1.email)
        page.get_by_label("Senha").fill(team.n1.password)
        page.get_by_role("button", name="Entrar").click()
        expect(page).to_have_url(re.compile(r"/conversas$"))
    finally:
        platform.move_clock(minutes=-THIRTEEN_HOURS)
