"""Configurações › Horário e feriados: the month as a calendar with the holidays of `holidays` and
the company's dates; a closure added moves the next opening (what the out-of-hours message says);
the weekly schedule edited; bad input answered in pt-BR."""

from __future__ import annotations

import html
import re

from carinho.atendimento.agents.models import Role
from tests.atendimento.conftest import CLOSED_INSTANT, OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson


def day_cell(page: str, iso: str) -> str:
    match = re.search(rf'<td [^>]*data-day="{iso}".*?</td>', page, re.S)
    assert match, iso
    return html.unescape(match.group(0))


def next_opening(page: str) -> str:
    match = re.search(r"Próxima abertura: <strong>([^<]+)</strong>", html.unescape(page))
    assert match
    return match.group(1)


async def test_the_month_shows_hours_national_holidays_and_weekends(make_person: MakePerson) -> None:
    freeze_at(CLOSED_INSTANT)
    supervisor = await make_person(Role.supervisor)
    page = (await supervisor.page("/configuracoes/horario")).text
    assert "Dezembro de 2026" in page
    assert "Fechado agora" in page
    assert next_opening(page) == "quarta-feira, 02/12 às 08:00"
    assert "08:00–12:00, 13:00–18:00" in day_cell(page, "2026-12-02")
    christmas = day_cell(page, "2026-12-25")
    assert "Natal" in christmas and "Fechado" in christmas and "is-holiday" in christmas
    assert "Fechado" in day_cell(page, "2026-12-06")  # a Sunday
    assert 'aria-current="date"' in day_cell(page, "2026-12-01")  # 22:00 of Tuesday the 1st, local

    january = (await supervisor.page("/configuracoes/horario?mes=2027-01")).text
    assert "Janeiro de 2027" in january and "Confraternização Universal" in html.unescape(january)


async def test_a_company_closure_moves_the_next_opening(make_person: MakePerson) -> None:
    freeze_at(CLOSED_INSTANT)
    supervisor = await make_person(Role.supervisor)
    added = await supervisor.form(
        "/configuracoes/horario/datas",
        {"day": "2026-12-02", "kind": "closed", "description": "Aniversário da cidade"},
    )
    assert added.status_code == 303
    page = (await supervisor.page("/configuracoes/horario")).text
    assert next_opening(page) == "quinta-feira, 03/12 às 08:00"
    assert "Aniversário da cidade" in day_cell(page, "2026-12-02")
    assert "02/12/2026" in page

    date_id = re.search(r"/configuracoes/horario/datas/(\d+)/remover", page).group(1)  # type: ignore[union-attr]
    removed = await supervisor.form(f"/configuracoes/horario/datas/{date_id}/remover", {})
    assert removed.status_code == 303
    assert (
        next_opening((await supervisor.page("/configuracoes/horario")).text) == "quarta-feira, 02/12 às 08:00"
    )


async def test_special_hours_and_the_weekly_schedule(make_person: MakePerson) -> None:
    freeze_at(CLOSED_INSTANT)
    supervisor = await make_person(Role.supervisor)
    special = await supervisor.form(
        "/configuracoes/horario/datas", {"day": "2026-12-02", "kind": "special_hours", "hours": "10:00-14:00"}
    )
    assert special.status_code == 303
    page = (await supervisor.page("/configuracoes/horario")).text
    assert next_opening(page) == "quarta-feira, 02/12 às 10:00"

    weekly = {f"dia-{d}": "" for d in range(7)} | {"dia-3": "07:30-19:00"}  # Thursdays only
    saved = await supervisor.form("/configuracoes/horario/semana", weekly)
    assert saved.status_code == 303
    page = (await supervisor.page("/configuracoes/horario")).text
    assert "07:30–19:00" in day_cell(page, "2026-12-03")
    assert day_cell(page, "2026-12-04").count("Fechado") == 1


async def test_bad_input_is_answered_in_pt_br(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    bad_hours = await supervisor.form("/configuracoes/horario/semana", {"dia-0": "oito às doze"})
    assert bad_hours.status_code == 422 and "use o formato 08:00-12:00" in html.unescape(bad_hours.text)
    overlap = await supervisor.form("/configuracoes/horario/semana", {"dia-0": "08:00-12:00, 11:00-13:00"})
    assert overlap.status_code == 422 and "sem sobreposição" in html.unescape(overlap.text)
    no_day = await supervisor.form("/configuracoes/horario/datas", {"day": "", "kind": "closed"})
    assert no_day.status_code == 422 and "Informe a data" in no_day.text
    await supervisor.form("/configuracoes/horario/datas", {"day": "2026-12-24", "kind": "closed"})
    twice = await supervisor.form("/configuracoes/horario/datas", {"day": "2026-12-24", "kind": "closed"})
    assert twice.status_code == 422 and "Já existe uma data especial em 24/12/2026" in twice.text


async def test_the_state_and_the_optional_holidays(make_person: MakePerson) -> None:
    freeze_at(CLOSED_INSTANT)
    supervisor = await make_person(Role.supervisor)
    saved = await supervisor.form("/configuracoes/horario/feriados", {"state": "RJ", "optional": []})
    assert saved.status_code == 303
    november = html.unescape((await supervisor.page("/configuracoes/horario?mes=2026-11")).text)
    assert 'RJ" selected' in november or 'value="RJ" selected' in november
    assert "Consciência Negra" in day_cell(november, "2026-11-20")
    bad = await supervisor.form("/configuracoes/horario/feriados", {"state": "ZZ"})
    assert bad.status_code == 422 and "UF desconhecida" in bad.text


async def test_open_now_shows_until_when_and_the_opening_after_it(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 10:00 in São Paulo
    supervisor = await make_person(Role.supervisor)
    page = (await supervisor.page("/configuracoes/horario")).text
    assert "Aberto agora, até 12:00" in page
    assert next_opening(page) == "terça-feira, 01/12 às 13:00"
    assert "A partir de amanhã, a primeira abertura é <strong>quarta-feira, 02/12 às 08:00</strong>" in page


async def test_a_week_without_open_hours_is_refused_with_the_reason(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    refused = await supervisor.form("/configuracoes/horario/semana", {f"dia-{d}": "" for d in range(7)})
    assert refused.status_code == 422
    assert "A semana precisa ter ao menos um horário de atendimento" in html.unescape(refused.text)
    assert "08:00–12:00, 13:00–18:00" in html.unescape(refused.text)  # the schedule in force stays
