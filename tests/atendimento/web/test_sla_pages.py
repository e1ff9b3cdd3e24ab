"""Painel de SLA: a supervisor's page (now, targets, breaches, report charts); an attendant's 403."""

from __future__ import annotations

import re
from datetime import timedelta

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.sla.panel_data import conversation_in_state, ended_target
from tests.atendimento.web.conftest import MakePerson


async def test_the_panel_shows_now_targets_breaches_and_charts(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 1 December 2026, 10:00 in São Paulo
    supervisor = await make_person(Role.supervisor)
    await conversation_in_state(seeded, status="at_risk", level="N1", priority="high")
    late = await conversation_in_state(
        seeded,
        status="breached",
        level="N2",
        priority="urgent",
        breached_due=OPEN_INSTANT - timedelta(minutes=75),
        assignee_name="Carla Dias",
    )
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(hours=1), priority="high", met=True)
    await ended_target(
        seeded, started_at=OPEN_INSTANT - timedelta(hours=2), priority="high", met=False, minutes=90
    )

    page = await supervisor.page("/supervisao/sla")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Painel de SLA</h1>" in html and 'aria-current="page">Painel de SLA' in html
    assert re.search(r'data-figure="em-risco">1<', html) and re.search(r'data-figure="violadas">1<', html)
    assert '<span class="badge badge-danger">1 violada</span>' in html
    # targets per priority (business minutes) and today's share met
    assert re.search(r"<th scope=\"row\">Alta</th>\s*<td>30 min</td>", html)
    assert "50 %" in html and "(1 de 2)" in html
    # the breach: who held it, how late, a link
    assert f'href="/conversas/{late}"' in html and "Carla Dias" in html and "1 h 15 min" in html
    # the report loads after the page, with the page's filters
    assert 'hx-get="/supervisao/sla/relatorio?" hx-trigger="load"' in html
    assert html.count('<svg class="chart-svg"') == 1  # the levels now
    report = await supervisor.htmx("GET", "/supervisao/sla/relatorio")
    assert report.status_code == 200 and "<html" not in report.text
    html = report.text
    # report charts with their accessible descriptions and data
    # % met and first response (avg, p90) drawn; no resolution yet: said so
    assert html.count('<svg class="chart-svg"') == 3
    assert html.count("Sem dados no período.") == 2
    assert "% de prazos cumpridos, total e por prioridade" in html and "Ver dados" in html
    assert "<desc" in html and "Alta: " in html

    now = await supervisor.htmx("GET", "/supervisao/sla/agora")
    assert now.status_code == 200
    assert 'id="sla-agora"' in now.text and "<html" not in now.text


async def test_the_breaches_sorted_by_a_column_header_live_region_keeps_the_order(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    due = OPEN_INSTANT - timedelta(minutes=5)
    a_little = await conversation_in_state(
        seeded, status="breached", level="N1", priority="low", breached_due=due
    )
    a_lot = await conversation_in_state(
        seeded, status="breached", level="N2", priority="urgent", breached_due=due - timedelta(hours=3)
    )

    def order(html: str) -> list[int]:
        rows = html.split('class="data sla-breaches"')[1]
        return [int(n) for n in re.findall(r'href="/conversas/(\d+)"', rows)]

    latest_first = await supervisor.page("/supervisao/sla?ordem=-atraso")
    assert order(latest_first.text) == [a_lot, a_little]
    assert 'hx-get="/supervisao/sla/agora?ordem=-atraso"' in latest_first.text  # the live refresh too
    least_late = await supervisor.htmx("GET", "/supervisao/sla/agora?ordem=atraso")
    assert order(least_late.text) == [a_little, a_lot]
    header = 'aria-sort="ascending"><a class="sort-link" href="/supervisao/sla?ordem=-atraso"'
    assert header in least_late.text
    by_priority = await supervisor.htmx("GET", "/supervisao/sla/agora?ordem=prioridade")
    assert order(by_priority.text) == [a_lot, a_little]  # urgent before low


async def test_report_filters_by_week_and_agent_and_explains_bad_dates(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(days=8), priority="normal", met=True)

    report = await supervisor.htmx(
        "GET", "/supervisao/sla/relatorio?de=2026-11-16&ate=2026-12-01&por=semana&grupo=atendente"
    )
    assert report.status_code == 200
    assert (
        report.headers["HX-Replace-Url"]
        == "/supervisao/sla?de=2026-11-16&ate=2026-12-01&por=semana&grupo=atendente"
    )
    assert "sem. 16/11" in report.text and "sem. 23/11" in report.text and "sem. 30/11" in report.text
    assert "Sem responsável" in report.text and "por atendente" in report.text

    page = await supervisor.page("/supervisao/sla?de=2026-12-01&ate=2026-11-01")
    assert 'hx-get="/supervisao/sla/relatorio?de=2026-12-01&amp;ate=2026-11-01"' in page.text
    backwards = await supervisor.htmx("GET", "/supervisao/sla/relatorio?de=2026-12-01&ate=2026-11-01")
    assert backwards.status_code == 200
    assert "A data final deve ser igual ou depois da inicial." in backwards.text
    nonsense = await supervisor.htmx("GET", "/supervisao/sla/relatorio?de=ontem&por=seculo")
    assert "Datas inválidas" in nonsense.text and "Traceback" not in nonsense.text


async def test_an_attendant_gets_the_403_page(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent, SupportLevel.n3)
    for url in ("/supervisao/sla", "/supervisao/sla/agora", "/supervisao/sla/relatorio"):
        refused = await attendant.page(url)
        assert refused.status_code == 403, url
        assert "<html" in refused.text and "Painel de SLA" not in refused.text
    inbox = await attendant.page("/conversas")
    assert "/supervisao/sla" not in inbox.text  # not in the attendant's menu
