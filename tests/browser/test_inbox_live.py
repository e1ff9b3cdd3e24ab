"""The inbox follows the WhatsApp as it happens (server-sent events), and works from the keyboard."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from carinho.kit.ui.testing.platform import Platform
from tests.browser.conftest import Team
from tests.browser.helpers import (
    assert_not_reloaded,
    composer,
    conversation_list,
    mark_not_reloaded,
    row,
)


def test_a_message_from_the_sandbox_phone_appears_in_the_open_inbox_without_a_reload(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    login(team.n1)
    expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()  # the SSE connection is open
    mark_not_reloaded(page)

    conversation = customer_writes("Boa tarde! Minha avó precisa de companhia à noite.", name="Helena Prado")

    helena = row(page, "Helena Prado")
    expect(helena).to_be_visible()
    expect(helena).to_contain_text("Minha avó precisa de companhia à noite.")
    expect(page).to_have_title(re.compile(r"^\(\d+\) "))  # unread messages counted in the tab's title

    # A second message from the same family updates the same row.
    platform.phone_sends(
        conversation["phone_number"], "Ela mora na Vila Mariana.", sender_name="Helena Prado"
    )
    expect(helena).to_contain_text("Ela mora na Vila Mariana.")
    assert_not_reloaded(page)


def test_j_and_k_move_between_conversations_and_r_focuses_the_composer(
    page: Any, login: Any, team: Team, customer_writes: Any
) -> None:
    customer_writes("Olá, preciso de uma cuidadora para o fim de semana.", name="Jorge Amaral")
    customer_writes("Vocês atendem em Santo André?", name="Karina Lopes")
    login(team.n1)
    rows = conversation_list(page).get_by_role("link")
    expect(rows.nth(1)).to_be_visible()
    first, second = rows.nth(0).get_attribute("href"), rows.nth(1).get_attribute("href")

    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(re.escape(first) + "$"))
    expect(conversation_list(page).locator("[aria-current=true]")).to_have_attribute("href", first)
    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(re.escape(second) + "$"))
    page.keyboard.press("k")
    expect(page).to_have_url(re.compile(re.escape(first) + "$"))

    page.keyboard.press("r")
    expect(composer(page)).to_be_focused()
