"""Working a conversation in the browser: reply, templates, the funnel's "Perdido", escalation and
the emergency banner — each checked where it matters (the customer's phone, the API, other people's
lists)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import log_out
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import eventually
from tests.browser.conftest import Team
from tests.browser.helpers import (
    assert_not_reloaded,
    composer,
    history,
    mark_not_reloaded,
    message,
    open_conversation,
    row,
)


def _texts_on_phone(platform: Platform, phone: str) -> list[str]:
    return [m["body"].get("message", "") for m in platform.phone_received(phone)]


def test_a_reply_from_the_composer_reaches_the_phone_and_its_ticks_update(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes("Vocês têm cuidadora para hoje à noite?", name="Otávio Ramos")
    login(team.n1)
    open_conversation(page, "Otávio Ramos")
    expect(message(page, "Vocês têm cuidadora para hoje à noite?")).to_be_visible()
    mark_not_reloaded(page)

    reply = "Temos sim, Otávio! Posso ligar agora para combinarmos?"
    composer(page).fill(reply)
    composer(page).press("Enter")

    expect(message(page, reply)).to_be_visible()
    expect(composer(page)).to_have_value("")
    eventually(
        lambda: reply in _texts_on_phone(platform, conversation["phone_number"]),
        what="the reply on the customer's phone",
    )
    # The simulated WhatsApp confirms delivery and reading: the ticks change without a reload. Each
    # status is a callback the hub stores and forwards as its own flow: on a busy machine, a while.
    expect(message(page, reply)).to_contain_text("Lida", timeout=30_000)
    assert_not_reloaded(page)


def test_shift_enter_makes_a_new_line_instead_of_sending(
    page: Any, login: Any, team: Team, customer_writes: Any
) -> None:
    customer_writes("Bom dia!", name="Renata Sales")
    login(team.n1)
    open_conversation(page, "Renata Sales")

    composer(page).fill("Bom dia, Renata!")
    composer(page).press("Shift+Enter")
    composer(page).press_sequentially("Como posso ajudar?")

    expect(composer(page)).to_have_value("Bom dia, Renata!\nComo posso ajudar?")
    expect(message(page, "Como posso ajudar?")).to_have_count(0)


def test_choosing_a_template_sends_it_with_its_variables_filled(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes(
        "Oi, quero informações sobre acompanhante hospitalar.", name="Sérgio Nunes"
    )
    login(team.n1)
    open_conversation(page, "Sérgio Nunes")
    filled = "Olá, Sérgio! Meu nome é Ana Lima e vou continuar seu atendimento."

    page.get_by_role("button", name="Modelos").click()
    dialog = page.get_by_role("dialog", name="Enviar modelo de mensagem")
    template = dialog.get_by_role("radio", name=re.compile(r"^Apresentação do atendente"))
    expect(template).to_be_visible()
    expect(dialog).to_contain_text(filled)  # the preview, as the customer will read it
    template.check()
    dialog.get_by_role("button", name="Enviar modelo").click()

    expect(dialog).to_be_hidden()
    expect(message(page, filled)).to_be_visible()
    eventually(
        lambda: filled in _texts_on_phone(platform, conversation["phone_number"]),
        what="the template on the customer's phone",
    )


def test_slash_in_the_composer_inserts_a_template(
    page: Any, login: Any, team: Team, customer_writes: Any
) -> None:
    customer_writes("Olá!", name="Tânia Rocha")
    login(team.n1)
    open_conversation(page, "Tânia Rocha")

    composer(page).press_sequentially("/apresen")
    options = page.get_by_role("listbox", name="Modelos de mensagem")
    expect(options.get_by_role("option", name=re.compile("Apresentação do atendente"))).to_be_visible()
    composer(page).press("Enter")

    expect(composer(page)).to_have_value("Olá, Tânia! Meu nome é Ana Lima e vou continuar seu atendimento.")
    expect(options).to_be_hidden()


def test_perdido_is_refused_without_a_loss_reason_and_accepted_with_one(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes("Achei o valor alto, vou pensar.", name="Vera Lúcia Dias")
    login(team.n1)
    open_conversation(page, "Vera Lúcia Dias")
    funnel = page.get_by_role("region", name="Funil de vendas")

    funnel.get_by_role("button", name="Marcar como perdido").click()
    dialog = page.get_by_role("dialog", name="Marcar como perdido")
    dialog.get_by_role("button", name="Marcar como perdido").click()

    expect(page.get_by_text("Informe o motivo da perda para marcar a conversa como Perdido.")).to_be_visible()
    assert platform.api("GET", f"/api/conversations/{conversation['id']}")["funnel_stage"] != "lost"

    dialog.get_by_label("Motivo da perda").select_option(label="Preço")
    dialog.get_by_label("Observação (opcional)").fill("Achou o valor alto; pediu retorno em março.")
    dialog.get_by_role("button", name="Marcar como perdido").click()

    expect(dialog).to_be_hidden()
    expect(funnel).to_contain_text("motivo: Preço")
    expect(funnel).to_contain_text("Achou o valor alto; pediu retorno em março.")
    saved = platform.api("GET", f"/api/conversations/{conversation['id']}")
    assert saved["funnel_stage"] == "lost" and saved["loss_reason_id"] is not None


def test_escalating_from_n1_to_n2_takes_the_conversation_out_of_the_n1_list(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes("Quero cancelar o contrato e pedir reembolso.", name="Lúcia Campos")
    login(team.n1)
    open_conversation(page, "Lúcia Campos")

    level = page.get_by_role("region", name="Nível de atendimento")
    level.get_by_role("button", name=re.compile(r"^\W*Escalar$")).click()
    dialog = page.get_by_role("dialog", name="Escalar conversa")
    dialog.get_by_label("Escalar para").select_option("N2")
    dialog.get_by_label("Motivo").fill("Pedido de reembolso: precisa do N2.")
    dialog.get_by_role("button", name="Escalar", exact=True).click()

    expect(row(page, "Lúcia Campos")).to_have_count(0)
    assert platform.api("GET", f"/api/conversations/{conversation['id']}")["level"] == "N2"
    page.goto("/conversas")
    expect(row(page, "Lúcia Campos")).to_have_count(0)

    # The N2 attendant has it.
    log_out(page)
    login(team.n2)
    page.get_by_role("link", name=re.compile(r"^Todas")).click()
    expect(row(page, "Lúcia Campos")).to_be_visible()


def test_an_emergency_shows_the_banner_until_someone_acknowledges_it(
    page: Any, login: Any, team: Team, customer_writes: Any, platform: Platform
) -> None:
    conversation = customer_writes("Minha mãe caiu e não está respondendo", name="Carlos Menezes")
    login(team.supervisor)
    page.goto(f"/conversas/{conversation['id']}")
    banner = page.get_by_role("alert").filter(has=page.get_by_role("button", name="Reconhecer emergência"))

    expect(banner).to_be_visible()
    page.reload()
    expect(banner).to_be_visible()  # it stays until acknowledged

    banner.get_by_role("button", name="Reconhecer emergência").click()
    expect(banner).to_have_count(0)
    page.reload()
    expect(history(page)).to_contain_text("Minha mãe caiu e não está respondendo")
    expect(banner).to_have_count(0)
    state = platform.api("GET", f"/api/conversations/{conversation['id']}/emergency-banner")
    assert state["active"] is False
