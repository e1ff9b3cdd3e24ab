"""Configurações › Políticas de SLA: the targets of every priority edited as one form (read as
"1 h 30 min"), the API reading the new values, the alert thresholds; bad input refused in pt-BR
with nothing saved; an attendant refused."""

from __future__ import annotations

import html
from typing import Any

from carinho.atendimento.agents.models import Role
from tests.atendimento.conftest import MakeAgent
from tests.atendimento.web.conftest import MakePerson

PRIORITIES = ("urgent", "high", "normal", "low")


def policies_form(**changes: Any) -> dict[str, Any]:
    """The form as the page shows it with the default policies, with `changes` ('urgent-...')."""
    defaults = {
        "urgent": (15, 30, 240),
        "high": (30, 60, 480),
        "normal": (60, 120, 1440),
        "low": (240, 480, 2880),
    }
    form: dict[str, Any] = {}
    for priority in PRIORITIES:
        first, following, resolution = defaults[priority]
        form |= {
            f"{priority}-first_response_minutes": first,
            f"{priority}-next_response_minutes": following,
            f"{priority}-resolution_minutes": resolution,
            f"{priority}-at_risk_percent": 80,
            f"{priority}-pause": "sim",
        }
    return form | {key.replace("__", "-"): value for key, value in changes.items()}


async def test_the_page_shows_every_priority_and_reads_minutes_as_hours(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    page = await supervisor.page("/configuracoes/sla")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for label in ("Urgente", "Alta", "Normal", "Baixa"):
        assert f"<legend>{label}</legend>" in text
    assert 'name="urgent-first_response_minutes"' in text and 'value="15"' in text
    assert "Em vigor: 24 h" in text  # normal's resolution, 1440 business minutes
    assert "Em vigor: 4 h" in text
    assert 'aria-current="page">Políticas de SLA' in text
    assert "Alertas da operação" in text and 'name="backlog_unassigned_threshold"' in text


async def test_saving_the_targets_is_what_the_api_answers(
    make_person: MakePerson, make_agent: MakeAgent
) -> None:
    supervisor = await make_person(Role.supervisor)
    saved = await supervisor.form(
        "/configuracoes/sla/politicas",
        policies_form(urgent__first_response_minutes=10, urgent__resolution_minutes=90, low__pause=""),
    )
    assert saved.status_code == 303
    page = html.unescape((await supervisor.page(saved.headers["location"])).text)
    assert "Alterações salvas" in page and "Em vigor: 1 h 30 min" in page and "Em vigor: 10 min" in page

    api = await make_agent(Role.agent)
    policies = {p["priority"]: p for p in (await api.get("/api/sla/policies")).json()}
    assert policies["urgent"]["first_response_minutes"] == 10
    assert policies["urgent"]["resolution_minutes"] == 90
    assert policies["low"]["pause_while_waiting_customer"] is False
    assert policies["high"]["first_response_minutes"] == 30


async def test_bad_targets_are_refused_in_pt_br_and_nothing_is_saved(
    make_person: MakePerson, make_agent: MakeAgent
) -> None:
    supervisor = await make_person(Role.supervisor)
    not_a_number = await supervisor.form(
        "/configuracoes/sla/politicas", policies_form(high__first_response_minutes="meia hora")
    )
    assert not_a_number.status_code == 422
    text = html.unescape(not_a_number.text)
    assert "Alta: informe o prazo de primeira resposta em minutos (número inteiro)." in text
    assert 'value="meia hora"' in text  # what she typed stays

    # The first priority's change is valid, the resolution of the last is shorter than its first response.
    shorter = await supervisor.form(
        "/configuracoes/sla/politicas",
        policies_form(urgent__first_response_minutes=5, low__resolution_minutes=60),
    )
    assert shorter.status_code == 422
    assert "O prazo de resolução não pode ser menor que o de primeira resposta." in html.unescape(
        shorter.text
    )
    risk = await supervisor.form("/configuracoes/sla/politicas", policies_form(normal__at_risk_percent=100))
    assert risk.status_code == 422
    assert "Normal: o limite de risco deve ficar entre 1 % e 99 % do prazo." in html.unescape(risk.text)

    api = await make_agent(Role.agent)
    policies = {p["priority"]: p for p in (await api.get("/api/sla/policies")).json()}
    assert policies["urgent"]["first_response_minutes"] == 15  # the refused form saved nothing


async def test_the_alert_thresholds(make_person: MakePerson, make_agent: MakeAgent) -> None:
    supervisor = await make_person(Role.supervisor)
    form = {
        "backlog_unassigned_threshold": 8,
        "backlog_waiting_threshold": 20,
        "backlog_growth_threshold": 5,
        "backlog_window_minutes": 90,
        "send_failures_threshold": 3,
        "send_failures_window_minutes": 10,
    }
    saved = await supervisor.form("/configuracoes/sla/alertas", form)
    assert saved.status_code == 303
    page = html.unescape((await supervisor.page("/configuracoes/sla")).text)
    assert "em vigor: 1 h 30 min" in page

    api = await make_agent(Role.supervisor)
    settings = (await api.get("/api/sla/alert-settings")).json()
    assert settings["backlog_unassigned_threshold"] == 8 and settings["backlog_window_minutes"] == 90

    bad = await supervisor.form("/configuracoes/sla/alertas", form | {"send_failures_window_minutes": 2000})
    assert bad.status_code == 422
    assert "Janela das falhas de envio: de 1 a 1.440 minutos." in html.unescape(bad.text)
    assert (await api.get("/api/sla/alert-settings")).json()["send_failures_window_minutes"] == 10


async def test_an_attendant_is_refused(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent)
    page = await attendant.page("/configuracoes/sla")
    assert page.status_code == 403 and "Acesso negado" in page.text
    saved = await attendant.form(
        "/configuracoes/sla/politicas", policies_form(urgent__first_response_minutes=1)
    )
    assert saved.status_code == 403
