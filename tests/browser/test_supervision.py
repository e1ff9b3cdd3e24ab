"""The supervisor's live screens: the Painel de SLA shows a breach when the clock passes a due time,
the Dashboard counts a message as it arrives, Ocorrências lists the emergency a message opened — all
without a reload; axe on each of them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from tests.browser.conftest import Team
from tests.browser.helpers import assert_not_reloaded, mark_not_reloaded

# The SLA monitor runs once a minute of real time: a breach shows up within that minute and a bit.
MONITOR_MS = 90_000
# A normal-priority conversation must be answered within 60 business minutes.
PAST_FIRST_RESPONSE_MINUTES = 90


def _breaches(page: Any) -> Any:
    return page.get_by_role("table", name="Violações de SLA em aberto e detectadas hoje")


@pytest.mark.moves_clock
def test_the_sla_panel_shows_a_breach_when_the_clock_passes_the_due_time_without_a_reload(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes("Preciso de uma cuidadora para amanhã cedo.", name="Otávio Prates")
    link_name = f"Conversa {conversation['id']}"
    login(team.supervisor)
    page.goto("/supervisao/sla")
    expect(page.get_by_role("heading", name="Painel de SLA", level=1)).to_be_visible()
    expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=link_name)).to_have_count(0)
    mark_not_reloaded(page)

    platform.move_clock(minutes=PAST_FIRST_RESPONSE_MINUTES)
    try:
        breach = page.get_by_role("row").filter(has=page.get_by_role("link", name=link_name))
        expect(breach).to_be_visible(timeout=MONITOR_MS)
        expect(breach).to_contain_text("Primeira resposta")
        expect(breach).to_contain_text("Ana Lima")  # who held the conversation
        expect(breach).to_contain_text("Em aberto")
        expect(page.locator('[data-figure="violadas"]')).not_to_have_text("0")
        assert_not_reloaded(page)

        breach.get_by_role("link", name=link_name).click()
        expect(page).to_have_url(f"{platform.atendimento_url}/conversas/{conversation['id']}")
    finally:
        platform.move_clock(minutes=-PAST_FIRST_RESPONSE_MINUTES)


# Fetches the SLA panel's "now" twice as its live refresh does; whether the second answer was the
# same as the first, and whether the panel on screen is still the element the first one drew.
_REFRESH_TWICE = """async () => {
  const ours = (e) => e.detail.target && e.detail.target.id === "sla-agora";
  const answers = [];
  const listen = (e) => { if (ours(e)) answers.push(e.detail.serverResponse); };
  document.addEventListener("htmx:beforeSwap", listen);
  const options = {target: "#sla-agora", swap: "outerHTML"};
  const fetchPanel = () => htmx.ajax("GET", "/supervisao/sla/agora", options);
  const settled = new Promise((done) => {
    document.addEventListener("htmx:afterSettle", (e) => { if (ours(e)) done(); });
  });
  await fetchPanel();
  await settled;
  const drawn = document.getElementById("sla-agora");
  await fetchPanel();
  document.removeEventListener("htmx:beforeSwap", listen);
  const same = answers.length === 2 && answers[0] === answers[1];
  return {same, kept: document.getElementById("sla-agora") === drawn};
}"""


def test_a_live_refresh_that_brings_the_same_panel_does_not_draw_it_again(
    page: Any, login: Any, team: Team
) -> None:
    """A click, the focus or a selection in a live panel is not lost to a refresh of the same content."""
    login(team.supervisor)
    page.goto("/supervisao/sla")
    expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()
    for _ in range(3):  # the panel says the minute it was drawn: a minute may turn between the fetches
        result = page.evaluate(_REFRESH_TWICE)
        assert result["kept"] == result["same"]
        if result["same"]:
            break
    assert result["same"] and result["kept"]


def test_the_dashboard_counts_a_message_as_it_arrives_without_a_reload(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    login(team.supervisor)
    page.goto("/supervisao/dashboard")
    expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()
    received = page.locator('[data-figure="recebidas"]')
    before = int((received.text_content() or "0").replace(".", ""))
    mark_not_reloaded(page)

    customer_writes("Boa tarde, vocês atendem no Tatuapé?", name="Lúcia Campos")

    expect(received).to_have_text(f"{before + 1:,}".replace(",", "."))
    assert_not_reloaded(page)


def test_an_incident_opened_by_a_message_appears_on_the_incidents_page_without_a_reload(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    login(team.supervisor)
    page.goto("/supervisao/ocorrencias")
    expect(page.get_by_role("heading", name="Ocorrências e emergências", level=1)).to_be_visible()
    expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()
    mark_not_reloaded(page)

    conversation = customer_writes(
        "Socorro, meu pai caiu da escada e não consegue levantar", name="Nair Toledo"
    )
    [incident] = platform.api("GET", f"/api/conversations/{conversation['id']}/incidents")

    link = page.get_by_role("link", name=re.compile(rf"^Ocorrência {incident['id']}:"))
    expect(link).to_be_visible()
    row = page.get_by_role("row").filter(has=link)
    expect(row).to_contain_text("Emergência")
    expect(row).to_contain_text("Não reconhecida")
    assert_not_reloaded(page)


@pytest.mark.parametrize("width", ["desktop", "celular"])
def test_the_supervision_pages_pass_axe(
    page: Any, login: Any, team: Team, customer_writes: Any, width: str
) -> None:
    customer_writes("Olá, gostaria de um orçamento.", name="Marta Silveira")
    if width == "celular":
        page.set_viewport_size(PHONE)
    login(team.supervisor)
    for url, what in (
        ("/supervisao/sla", "the SLA panel"),
        ("/supervisao/sla?por=semana&grupo=atendente", "the SLA panel's weekly report per agent"),
        ("/supervisao/dashboard", "the dashboard"),
        ("/supervisao/dashboard/tv", "the dashboard's TV mode"),
        ("/supervisao/ocorrencias?situacao=todas&ordem=-gravidade", "Ocorrências sorted"),
    ):
        page.goto(url)
        expect(page.get_by_text("Ao vivo", exact=True)).to_be_visible()
        if url.startswith("/supervisao/sla"):  # the report loads after the page
            expect(page.get_by_role("heading", name="Relatórios")).to_be_visible()
            expect(page.locator("#sla-relatorio[aria-busy]")).to_have_count(0)
        assert_accessible(page, what=f"{what} ({width})")
