"""The hub console's Eventos and DLQ in the browser: a webhook posted to the hub appears in the event
list without a reload; a failing target (sandbox faults) shows the failure, the event reaches the DLQ,
and a retry from the DLQ page succeeds; axe-core finds no serious violation on these pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import eventually

NOT_RELOADED = "window.__carinhoSemRecarregar"


def _lead(platform: Platform, phone: str) -> int:
    created = platform.hub_api(
        "POST",
        "/api/events",
        json={
            "source": "site",
            "type": "lead.created",
            "payload": {"name": "Lúcia Andrade", "phone": phone, "email": f"lucia.{phone}@example.com.br"},
        },
    )
    return int(created["event_id"])


def _dead_lead(platform: Platform, phone: str) -> int:
    """A lead the CRM refuses on every call (422: permanent) while it is processed: in the DLQ."""
    platform.faults("crm", fail_next=1000, fail_status=422, fail_body={"message": "campo origem inválido"})
    try:
        event_id = _lead(platform, phone)
        eventually(
            lambda: platform.hub_api("GET", f"/api/events/{event_id}")["status"] == "dead",
            timeout=30,
            what="the event in the DLQ",
        )
    finally:
        platform.faults("crm", fail_next=0)
    return event_id


def test_a_webhook_posted_to_the_hub_appears_in_the_event_list(
    console: Any, platform: Platform, phone: Callable[[], str]
) -> None:
    number = phone()
    console.goto(f"/eventos?contato={number}")
    expect(console.get_by_text("Nenhum evento com esses filtros")).to_be_visible()
    console.evaluate(f"{NOT_RELOADED} = true")

    platform.phone_sends(number, "Bom dia, queria saber o valor da diária.", sender_name="Dona Rosa")

    recent = console.locator("#eventos-recentes")
    expect(recent.get_by_text("whatsapp.message.received")).to_be_visible()
    assert console.evaluate(NOT_RELOADED) is True  # appeared live, not by a reload
    recent.get_by_role("link", name=re.compile(r"^Evento \d+$")).first.click()
    expect(console.get_by_role("heading", name="Etapas")).to_be_visible()
    expect(console.get_by_role("heading", name="Payload original")).to_be_visible()
    assert number[-8:] not in console.content()  # the phone is masked everywhere on the page


def test_a_webhook_posted_to_the_hub_appears_live_on_the_overview(
    console: Any, platform: Platform, phone: Callable[[], str]
) -> None:
    console.goto("/painel")
    expect(console.locator("[data-live-status]")).to_have_text("Ao vivo")  # the stream is open
    events = console.get_by_role("region", name="Eventos")
    last_hour = events.locator(".stat-value").first
    before = last_hour.inner_text()
    console.evaluate(f"{NOT_RELOADED} = true")
    console.evaluate("document.getElementById('movimento').scrollIntoView()")  # the charts on top
    place = console.evaluate("window.scrollY")
    assert place > 0

    platform.phone_sends(phone(), "Oi, vocês atendem aos domingos?", sender_name="Seu Jorge")

    expect(last_hour).not_to_have_text(before)  # redrawn on the stream's `change`
    expect(console.get_by_role("figure", name=re.compile("^Eventos por minuto"))).to_be_visible()
    assert console.evaluate(NOT_RELOADED) is True  # live, not by a reload
    assert console.evaluate("window.scrollY") == place  # the reader keeps their place


def test_a_failing_target_sends_the_event_to_the_dlq_and_a_retry_from_the_dlq_page_succeeds(
    console: Any, platform: Platform, phone: Callable[[], str]
) -> None:
    event_id = _dead_lead(platform, phone())

    console.goto(f"/eventos/{event_id}")
    expect(console.get_by_role("heading", name=f"Evento #{event_id}")).to_be_visible()
    steps = console.get_by_role("region", name="Etapas")
    expect(steps.get_by_text("crm.register_lead")).to_be_visible()
    expect(steps.get_by_text("na DLQ")).to_be_visible()
    expect(steps.get_by_text(re.compile("422|inválido"))).to_be_visible()

    item_id = platform.hub_api("GET", "/api/dlq", params={"event_id": event_id})["items"][0]["id"]
    console.goto("/dlq?tipo=lead.created")
    console.get_by_role("link", name=f"Item {item_id} da DLQ").click()
    expect(console.get_by_role("heading", name=f"Item #{item_id} da DLQ")).to_be_visible()
    console.get_by_role("button", name="Reenviar", exact=True).click()
    expect(console.get_by_role("status").get_by_text(f"Item {item_id} reenviado.")).to_be_visible()

    eventually(
        lambda: platform.hub_api("GET", f"/api/events/{event_id}")["status"] == "processed",
        timeout=30,
        what="the retried event processed",
    )
    console.reload()
    expect(console.locator(".page-head").get_by_text("resolvido")).to_be_visible()
    console.goto(f"/eventos/{event_id}")
    expect(console.locator(".page-head").get_by_text("processado")).to_be_visible()


def test_an_item_reaching_the_dlq_appears_live_on_the_dlq_page(
    console: Any, platform: Platform, phone: Callable[[], str]
) -> None:
    console.goto("/dlq?tipo=lead.created&situacao=todas")
    expect(console.locator("[data-live-status]")).to_have_text("Ao vivo")
    console.evaluate(f"{NOT_RELOADED} = true")
    event_id = _dead_lead(platform, phone())
    recent = console.locator("#dlq-recentes")
    expect(recent.get_by_role("link", name=f"Evento {event_id}")).to_be_visible(timeout=10_000)
    assert console.evaluate(NOT_RELOADED) is True  # appeared live, not by a reload


@pytest.mark.parametrize("width", ["desktop", "celular"])
def test_the_event_and_dlq_pages_are_accessible(
    console: Any, platform: Platform, phone: Callable[[], str], width: str
) -> None:
    if width == "celular":
        console.set_viewport_size(PHONE)
    event_id = _dead_lead(platform, phone())
    item_id = platform.hub_api("GET", "/api/dlq", params={"event_id": event_id})["items"][0]["id"]

    console.goto("/eventos")
    expect(console.locator("#eventos-recentes")).to_be_visible()
    assert_accessible(console, what=f"the event list ({width})")
    console.goto("/eventos?contato=abc")
    assert_accessible(console, what=f"a bad event filter ({width})")

    console.goto(f"/eventos/{event_id}")
    expect(console.get_by_role("heading", name="Etapas")).to_be_visible()
    assert_accessible(console, what=f"an event with a failed step ({width})")
    console.get_by_role("button", name="Revelar").click()
    expect(console.get_by_text("Payload revelado sem máscara")).to_be_visible()
    console.get_by_role("button", name=re.compile("Reprocessar a partir")).click()
    expect(console.get_by_role("dialog", name="Reprocessar a partir de uma etapa")).to_be_visible()
    assert_accessible(console, what=f"the replay dialog ({width})")
    console.keyboard.press("Escape")

    console.goto("/dlq")
    assert_accessible(console, what=f"the DLQ ({width})")
    console.get_by_role("button", name=re.compile("Reenviar os abertos")).click()
    dialog = console.get_by_role("dialog", name="Reenviar em lote")
    expect(dialog.get_by_text(re.compile(r"Reenviar \d+ ite")).first).to_be_visible()
    assert_accessible(console, what=f"the bulk replay dialog ({width})")
    console.keyboard.press("Escape")

    console.goto(f"/dlq/{item_id}")
    assert_accessible(console, what=f"a DLQ item ({width})")
    console.get_by_role("button", name="Excluir…").click()
    expect(console.get_by_role("dialog", name="Excluir item da DLQ")).to_be_visible()
    assert_accessible(console, what=f"the delete dialog ({width})")
