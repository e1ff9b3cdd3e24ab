"""Dashboard em tempo real and its TV mode: the live metrics as tiles and charts (supervisors)."""

from __future__ import annotations

import re

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at, post_webhook, received
from tests.atendimento.web.conftest import MakePerson


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


async def test_the_dashboard_counts_what_arrives(seeded: Runtime, make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    before = (await supervisor.page("/supervisao/dashboard")).text
    assert "<h1>Dashboard em tempo real</h1>" in before and 'aria-current="page">Dashboard' in before
    assert _figure(before, "abertas") == "0" and _figure(before, "recebidas") == "0"
    assert "Sem dados no período." in before  # no message yet: the hourly chart says so

    for n, phone in enumerate(("5511955550001", "5511955550002", "5511955550001")):
        answer = await post_webhook(supervisor.client, received(f"dash-{n}", phone=phone, text="Oi, bom dia"))
        assert answer.status_code == 200, answer.text

    figures = await supervisor.htmx("GET", "/supervisao/dashboard/dados")
    assert figures.status_code == 200 and "<html" not in figures.text
    html = figures.text
    assert _figure(html, "abertas") == "2" and _figure(html, "sem-responsavel") == "2"
    assert _figure(html, "recebidas") == "3"
    assert _figure(html, "enviadas") == "2"  # the automatic greeting of each new conversation
    assert _figure(html, "aguardando") == "2"
    # the charts, each with its description for screen readers
    assert 'aria-labelledby="dash-mensagens-t dash-mensagens-d"' in html
    assert re.search(r"Recebidas: .*\d\dh 3[.,]", html)  # the current hour holds the three
    assert "Conversas por nível" in html and "Abertas: N1 2, N2 0, N3 0." in html
    assert "Ocorrências abertas por gravidade" in html and "Respostas de NPS, últimos 30 dias" in html


async def test_tv_mode_is_large_and_without_navigation(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    wall = await supervisor.page("/supervisao/dashboard/tv")
    assert wall.status_code == 200
    assert 'class="wall"' in wall.text and 'class="dash is-wall"' in wall.text
    assert 'class="topnav"' not in wall.text and 'data-live="/ao-vivo"' in wall.text
    assert 'hx-get="/supervisao/dashboard/dados?tv=1"' in wall.text
    assert "Ver dados" not in wall.text  # no data tables on the TV: the descriptions say the numbers
    fragment = await supervisor.htmx("GET", "/supervisao/dashboard/dados?tv=1")
    assert 'class="dash is-wall"' in fragment.text


async def test_an_attendant_gets_the_403_page(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent)
    for url in ("/supervisao/dashboard", "/supervisao/dashboard/tv", "/supervisao/dashboard/dados"):
        refused = await attendant.page(url)
        assert refused.status_code == 403, url
        assert "Conversas abertas" not in refused.text
