"""Funil (supervisors): the board moves leads with the API's rules, the report counts conversion and
loss reasons of the period, an attendant is refused."""

from __future__ import annotations

from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.funnel.models import LossReason
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import (
    conversation_row,
    n1_with_conversation,
    new_conversation,
    refusal,
    text_of,
    toast,
)


async def _price(rt: Runtime) -> LossReason:
    async with rt.db("atendimento").session() as session:
        return (await session.execute(select(LossReason).where(LossReason.code == "preco"))).scalar_one()


async def test_the_board_refuses_a_move_the_rules_forbid_and_makes_an_allowed_one(
    seeded: Runtime, make_person: MakePerson
) -> None:
    _, conversation_id = await n1_with_conversation(make_person)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    page = await sup.page("/supervisao/funil")
    assert page.status_code == 200, page.text
    assert 'id="quadro-funil"' in page.text and f'id="lead-{conversation_id}"' in page.text
    assert 'href="/supervisao/funil"' in page.text  # in the supervisor's navigation
    # the board follows the live feed, but not while a move form is open in it
    assert "carinhoLive(detail,&#39;conversation assignment&#39;)" in page.text
    assert 'hx-get="/supervisao/funil/quadro"' in page.text
    assert '<section id="quadro-funil" class="card funnel-board-card" data-live-guard' in page.text

    refused = await sup.htmx("POST", f"/supervisao/funil/{conversation_id}/mover", data={"etapa": "won"})
    assert refused.status_code == 409
    assert "Transição não permitida: Novo → Ganho" in refusal(refused)
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "new"

    no_reason = await sup.htmx("POST", f"/supervisao/funil/{conversation_id}/mover", data={"etapa": "lost"})
    assert no_reason.status_code == 400
    assert refusal(no_reason) == "Informe o motivo da perda para marcar a conversa como Perdido."

    moved = await sup.htmx("POST", f"/supervisao/funil/{conversation_id}/mover", data={"etapa": "qualified"})
    assert moved.status_code == 200, moved.text
    assert toast(moved) == "Lead movido para Qualificado."
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "qualified"
    board = moved.text
    qualified = board[board.index('id="coluna-qualified"') : board.index('id="coluna-proposal_sent"')]
    assert f'id="lead-{conversation_id}"' in qualified


async def test_the_report_counts_conversion_and_loss_reasons(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, first = await n1_with_conversation(make_person)
    second = await new_conversation(ana)
    sup = await make_person(Role.supervisor, SupportLevel.n3)
    price = await _price(seeded)
    for conversation_id in (first, second):
        await sup.htmx("POST", f"/supervisao/funil/{conversation_id}/mover", data={"etapa": "in_service"})
    lost = await sup.htmx(
        "POST", f"/supervisao/funil/{second}/mover", data={"etapa": "lost", "motivo": str(price.id)}
    )
    assert toast(lost) == "Lead marcado como Perdido (motivo: Preço)."

    words = text_of((await sup.page("/supervisao/funil")).text)
    assert "Novo 2" in words and "Em atendimento 2 ↳ 100,0 %" in words and "Qualificado 0 ↳ 0,0 %" in words
    assert (
        "1 lead perdido no período." in words and "Leads perdidos: Preço 1." in words
    )  # the chart's description

    report = await sup.client.get("/api/funnel/report", headers={"x-csrf-token": sup.csrf})
    assert report.status_code == 200, report.text
    body = report.json()
    assert [s["reached"] for s in body["steps"]] == [2, 2, 0, 0, 0]
    assert body["losses"] == [{"reason_id": price.id, "label": "Preço", "count": 1, "share": 100.0}]

    # a period with nothing in it, and a bad date: a pt-BR page, not a trace
    empty = text_of((await sup.page("/supervisao/funil?de=2020-01-01&ate=2020-01-31")).text)
    assert "Nenhum lead perdido no período" in empty and "Ganhos sobre novos: —" in empty
    bad = await sup.page("/supervisao/funil?de=31-12-2020")
    assert bad.status_code == 400 and "Data inválida" in bad.text


async def test_an_attendant_gets_the_403_page(make_person: MakePerson) -> None:
    ana = await make_person(Role.agent)
    page = await ana.page("/supervisao/funil")
    assert page.status_code == 403 and "Acesso negado" in page.text
    assert 'href="/supervisao/funil"' not in (await ana.page("/conversas")).text
    move = await ana.htmx("POST", "/supervisao/funil/1/mover", data={"etapa": "won"})
    assert move.status_code == 403
