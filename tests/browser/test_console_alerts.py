"""The hub's alerts in the browser: an admin lowers the backlog rule on the Alertas page, a lane backs
up (the CRM answers slowly while syncs queue on integrations-low), and the overview — without a
reload — shows the open alert and the lane stopped (red); /status says the same. axe-core finds no
serious violation on Alertas and /status."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from carinho.kit.ui.testing.browser import PHONE, assert_accessible
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import eventually

NOT_RELOADED = "window.__carinhoSemRecarregar"
LANE = "integrations-low"
SLOW_SYNCS = 14  # each waits for the slow CRM until its connector times out (10 s): the lane backs up


def _set_backlog_rule(page: Any, limit: str, window: str) -> None:
    page.goto("/alertas")
    rule = page.locator("form.rule", has=page.get_by_role("heading", name=re.compile("Fila acumulada")))
    rule.get_by_label(re.compile("^Limite")).fill(limit)
    rule.get_by_label(re.compile("^Janela")).fill(window)
    rule.get_by_role("button", name=re.compile("^Salvar")).click()
    expect(page.get_by_text("Regra “Fila acumulada” salva.")).to_be_visible()


def test_a_lane_backing_up_shows_an_alert_on_the_overview(console: Any, platform: Platform) -> None:
    _set_backlog_rule(console, "2", "0")
    platform.faults("crm", latency_ms=60_000)
    try:
        for _ in range(SLOW_SYNCS):
            platform.hub_api("POST", "/api/sync/start", json={"sync": "crm_operacao_contracts"})
        console.goto("/painel")
        console.evaluate(f"{NOT_RELOADED} = true")
        alerts = console.get_by_role("region", name=re.compile("Alertas abertos"))
        # The scheduler evaluates the rules every few seconds here (ALERT_TIMINGS, conftest.py); the
        # overview redraws when the hub moves (SSE) and every 15 s anyway.
        expect(alerts.get_by_text(re.compile(f"Fila {LANE} com \\d+ itens aguardando"))).to_be_visible(
            timeout=60_000
        )
        row = console.locator(f'tr[data-lane="{LANE}"]')
        expect(row).to_have_class(re.compile("lane-stuck"), timeout=60_000)  # red within a minute
        expect(row.get_by_text("parada")).to_be_visible()
        assert console.evaluate(NOT_RELOADED) is True  # live, not by a reload
        status = platform.hub_api("GET", "/status")
        assert any(a["kind"] == "lane_backlog" and a["subject"] == LANE for a in status["open_alerts"])
        console.goto("/alertas")
        alert = console.locator(".alert-card", has_text=f"Fila {LANE}")
        alert.get_by_role("button", name=re.compile("^Reconhecer")).click()
        expect(
            console.locator(".alert-card", has_text=f"Fila {LANE}").get_by_text("reconhecido por")
        ).to_be_visible()
    finally:
        platform.faults("crm", latency_ms=0)
        _set_backlog_rule(console, "100", "5")
    eventually(
        lambda: not platform.hub_api("GET", "/status")["open_alerts"], timeout=120, what="the alert resolved"
    )


@pytest.mark.parametrize("width", ["desktop", "celular"])
def test_the_alerts_and_status_pages_are_accessible(console: Any, width: str) -> None:
    if width == "celular":
        console.set_viewport_size(PHONE)
    console.goto("/alertas")
    expect(console.get_by_role("heading", name="Regras")).to_be_visible()
    assert_accessible(console, what=f"Alertas ({width})")
    console.goto("/status")
    expect(console.get_by_role("heading", name="Status do hub de integrações")).to_be_visible()
    assert_accessible(console, what=f"/status ({width})")
    console.goto("/painel")
    assert_accessible(console, what=f"the overview ({width})")
