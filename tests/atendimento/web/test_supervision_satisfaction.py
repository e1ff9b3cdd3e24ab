"""Satisfação (NPS), for supervisors: the figures of the period, the breakdowns, the comments, and a
detractor's follow-up assigned and concluded on the page."""

from __future__ import annotations

import httpx
import pytest

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.web import supervision_satisfaction
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.satisfaction.flow import (
    SENT_INSTANT,
    answered_and_resolved,
    followups,
    quiet_automations,
    run_jobs_at,
    surveys,
)
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import refusal, text_of, toast

PAGE = "/supervisao/satisfacao"


async def test_a_detractor_is_seen_assigned_and_followed_up(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    api = await make_agent(Role.supervisor)
    await quiet_automations(api)
    conversation_id = await answered_and_resolved(atendimento, api, "P1")
    await run_jobs_at(seeded, SENT_INSTANT)
    [survey] = await surveys(seeded)
    answered = await atendimento.post(
        f"/nps/{survey.token}", data={"score": "3", "csat": "2", "comment": "Demoraram para responder"}
    )
    assert answered.status_code == 200
    [followup] = await followups(seeded)
    sup = await make_person(Role.supervisor, SupportLevel.n3)

    page = await sup.page(PAGE)
    assert page.status_code == 200, page.text
    words = text_of(page.text)
    assert "NPS -100,0" in words and "CSAT 0,0 %" in words and "Respostas 1 de 1 pesquisas enviadas" in words
    assert "Detratores (0–6): 1 (100 %)" in words  # the share bar's description
    assert "Demoraram para responder" in words and f"conversa #{conversation_id}" in words
    assert f'id="acompanhamento-{followup.id}"' in page.text and "Nota 3" in words
    # the tiles and the follow-ups follow the live feed (an answer arrives as a message)
    assert page.text.count("carinhoLive(detail,&#39;message conversation&#39;)") == 4
    assert 'hx-include="#acompanhamentos-estado"' in page.text
    assert 'aria-labelledby="acompanhamentos-titulo" data-live-guard' in page.text
    tiles = await sup.htmx("GET", f"{PAGE}/resumo")
    assert "NPS -100,0" in text_of(tiles.text) and 'id="nps-resumo"' in tiles.text and "<h1" not in tiles.text
    # the breakdowns: by level, by channel of the answer
    assert "N1 -100,0" in text_of((await sup.page(f"{PAGE}?por=nivel")).text)
    assert "Link -100,0" in text_of((await sup.page(f"{PAGE}?por=canal")).text)

    url = f"{PAGE}/acompanhamentos/{followup.id}"
    nobody = await sup.htmx("POST", f"{url}/atribuir", data={"responsavel": ""})
    assert nobody.status_code == 400 and refusal(nobody) == "Escolha o supervisor responsável."
    assigned = await sup.htmx("POST", f"{url}/atribuir", data={"responsavel": str(sup.agent_id)})
    assert assigned.status_code == 200, refusal(assigned)
    assert toast(assigned).startswith("Acompanhamento atribuído a Pessoa")
    assert (await followups(seeded))[0].assignee_id == sup.agent_id

    done = await sup.htmx("POST", f"{url}/concluir", data={"nota": "Liguei e pedimos desculpas"})
    assert toast(done) == "Acompanhamento concluído." and "Nenhum acompanhamento aberto" in text_of(done.text)
    [followup] = await followups(seeded)
    assert (followup.status, followup.note, followup.done_by_id) == (
        "done",
        "Liguei e pedimos desculpas",
        sup.agent_id,
    )
    again = await sup.htmx("POST", f"{url}/concluir", data={"nota": ""})
    assert again.status_code == 409 and refusal(again) == "Este acompanhamento já foi concluído."
    concluded = text_of((await sup.page(f"{PAGE}/acompanhamentos?acompanhamentos=concluidos")).text)
    assert "Liguei e pedimos desculpas" in concluded

    # the same through the API (the page's service)
    comments = await api.get("/api/satisfaction/nps/comments")
    assert [c["comment"] for c in comments.json()] == ["Demoraram para responder"]


async def test_an_empty_period_and_an_attendant(make_person: MakePerson) -> None:
    sup = await make_person(Role.supervisor)
    words = text_of((await sup.page(f"{PAGE}?de=2020-01-01&ate=2020-01-31&serie=mes&por=zzz")).text)
    assert (
        "NPS —" in words
        and "Nenhuma resposta no período" in words
        and "Nenhum comentário no período" in words
    )
    ana = await make_person(Role.agent)
    assert (await ana.page(PAGE)).status_code == 403
    assert (await ana.htmx("POST", f"{PAGE}/acompanhamentos/1/concluir", data={})).status_code == 403


async def test_the_follow_ups_are_paged_and_the_live_refresh_keeps_the_page(
    seeded: Runtime,
    atendimento: httpx.AsyncClient,
    make_agent: MakeAgent,
    make_person: MakePerson,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervision_satisfaction, "FOLLOWUPS_SHOWN", 1)
    freeze_at(OPEN_INSTANT)
    api = await make_agent(Role.supervisor)
    await quiet_automations(api)
    await answered_and_resolved(atendimento, api, "P1")
    await answered_and_resolved(atendimento, api, "P2", phone="5511988887777")
    await run_jobs_at(seeded, SENT_INSTANT)
    for survey, comment in zip(await surveys(seeded), ("Primeiro", "Segundo"), strict=True):
        await atendimento.post(f"/nps/{survey.token}", data={"score": "2", "comment": comment})
    first, second = await followups(seeded)
    sup = await make_person(Role.supervisor, SupportLevel.n3)

    one, two = f'id="acompanhamento-{first.id}"', f'id="acompanhamento-{second.id}"'
    page_one = (await sup.page(PAGE)).text
    assert one in page_one and two not in page_one
    assert "página 1 de 2" in page_one
    assert 'href="/supervisao/satisfacao?acompanhamentos=abertos&amp;pagina=2" rel="next"' in page_one
    page_two = (await sup.htmx("GET", f"{PAGE}/acompanhamentos?acompanhamentos=abertos&pagina=2")).text
    assert two in page_two and one not in page_two
    assert '<input type="hidden" name="pagina" value="2">' in page_two  # the live refresh asks for it again
    beyond = (await sup.htmx("GET", f"{PAGE}/acompanhamentos?pagina=99")).text
    assert two in beyond  # the last page
