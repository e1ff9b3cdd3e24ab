"""The side panel's triage checklist and funnel without a browser: answers saved and validated, a
completed triage qualifying the lead, Perdido refused without a loss reason, the walk to Ganho."""

from __future__ import annotations

from sqlalchemy import select

from carinho.atendimento.funnel.models import LossReason
from carinho.atendimento.triage.models import TriageAnswer, TriageSession
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import (
    act,
    conversation_row,
    n1_with_conversation,
    refusal,
    section,
    text_of,
    toast,
)

# ---------------------------------------------------------------------- triage


async def test_triage_answers_are_saved_one_by_one_and_validated(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    saved = await act(ana, conversation_id, "triagem", {"pergunta": "idade", "valor": "84"})
    assert saved.status_code == 200, saved.text
    assert f'id="tq-{conversation_id}-idade"' in saved.text and "Resposta salva." in saved.text
    assert 'value="84"' in saved.text
    assert (
        f'id="triagem-progresso-{conversation_id}" class="triage-progress" hx-swap-oob="true"' in saved.text
    )
    assert "1 de 7" in text_of(saved.text)

    wrong = await act(ana, conversation_id, "triagem", {"pergunta": "idade", "valor": "oitenta"})
    assert wrong.status_code == 200
    assert "informe um número" in wrong.text and 'aria-invalid="true"' in wrong.text
    assert 'value="oitenta"' in wrong.text  # what was typed stays, to be corrected
    empty = await act(ana, conversation_id, "triagem", {"pergunta": "quem_precisa", "valor": ""})
    assert "a pergunta é obrigatória" in empty.text
    choice = await act(
        ana, conversation_id, "triagem", {"pergunta": "condicao", "valor": ["Acamado", "Pós-operatório"]}
    )
    assert choice.status_code == 200 and "Resposta salva." in choice.text
    yes = await act(ana, conversation_id, "triagem", {"pergunta": "atende_area", "valor": "sim"})
    assert "Resposta salva." in yes.text and 'value="sim" checked' in yes.text
    async with seeded.db("atendimento").session() as session:
        answers = {a.question_id: a.value for a in (await session.execute(select(TriageAnswer))).scalars()}
    # the refused ones are not saved
    assert sorted(answers.values(), key=str) == [84, True, ["Pós-operatório", "Acamado"]]

    decimal = await act(ana, conversation_id, "triagem", {"pergunta": "orcamento", "valor": "4.500,50"})
    assert "Resposta salva." in decimal.text
    page = text_of((await section(ana, conversation_id, "triagem")).text)
    assert "3 de 7 obrigatórias" in page and "4 de 11 respondidas" in page and "Em andamento" in page


async def test_triage_completes_qualifies_the_lead_and_moves_the_funnel(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    answers = [
        ("quem_precisa", "Pai ou mãe"),
        ("idade", "81"),
        ("condicao", "Mobilidade reduzida"),
        ("cidade_bairro", "São Paulo, Vila Mariana"),
        ("atende_area", "sim"),
        ("turno", "Noturno (12h)"),
    ]
    for code, value in answers:
        response = await act(ana, conversation_id, "triagem", {"pergunta": code, "valor": value})
        assert "Resposta salva." in response.text, response.text
    last = await act(ana, conversation_id, "triagem", {"pergunta": "data_inicio", "valor": "2026-12-10"})
    assert last.headers["hx-retarget"] == "#painel-triagem"
    assert toast(last) == "Triagem concluída: lead qualificado."
    words = text_of(last.text)
    assert "Lead qualificado" in words and "10/12/2026" in words and "Noturno (12h)" in words
    assert 'id="painel-funil"' in last.text and "Qualificado" in words  # the funnel moved, out of band
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "qualified"
    async with seeded.db("atendimento").session() as session:
        triage = (await session.execute(select(TriageSession))).scalar_one()
    assert (triage.status, triage.outcome) == ("completed", "qualified")
    again = await act(ana, conversation_id, "triagem", {"pergunta": "decisor", "valor": "Filha"})
    assert again.status_code == 409 and "já foi concluída" in refusal(again)


async def test_a_disqualifying_answer_says_so(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    for code, value in [
        ("quem_precisa", "Cônjuge"),
        ("idade", "70"),
        ("condicao", "Acamado"),
        ("cidade_bairro", "Campinas"),
        ("turno", "24 horas"),
        ("data_inicio", "2026-12-20"),
    ]:
        await act(ana, conversation_id, "triagem", {"pergunta": code, "valor": value})
    done = await act(ana, conversation_id, "triagem", {"pergunta": "atende_area", "valor": "nao"})
    assert toast(done) == "Triagem concluída: lead não qualificado."
    words = text_of(done.text)
    assert "Lead não qualificado" in words
    assert "Pela resposta a “O endereço está dentro da nossa área de atendimento?”" in words
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "new"


# ---------------------------------------------------------------------- funnel


async def test_lost_is_refused_without_a_loss_reason_and_accepted_with_one(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    panel = await section(ana, conversation_id, "funil")
    # only the moves the service allows from Novo
    assert '"etapa": "in_service"' in panel.text and '"etapa": "qualified"' in panel.text
    assert '"etapa": "won"' not in panel.text and '"etapa": "proposal_sent"' not in panel.text

    refused = await act(ana, conversation_id, "funil", {"etapa": "lost", "motivo": "", "nota": "Achou caro"})
    assert refused.status_code == 400
    assert refusal(refused) == "Informe o motivo da perda para marcar a conversa como Perdido."
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "new"

    not_allowed = await act(ana, conversation_id, "funil", {"etapa": "won"})
    assert not_allowed.status_code == 409 and "Transição não permitida: Novo → Ganho" in refusal(not_allowed)

    async with seeded.db("atendimento").session() as session:
        price = (await session.execute(select(LossReason).where(LossReason.code == "preco"))).scalar_one()
    accepted = await act(
        ana, conversation_id, "funil", {"etapa": "lost", "motivo": str(price.id), "nota": "Achou caro"}
    )
    assert accepted.status_code == 200, accepted.text
    assert toast(accepted) == "Conversa marcada como Perdido (motivo: Preço)."
    row = await conversation_row(seeded, conversation_id)
    assert (row.funnel_stage, row.loss_reason_id, row.loss_note) == ("lost", price.id, "Achou caro")
    words = text_of(accepted.text)
    assert "Perdido · motivo: Preço" in words and "“Achou caro”" in words
    assert "Reabrir: Em atendimento" in words and "Marcar como perdido" not in words


async def test_the_funnel_walks_to_won(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    for stage in ("in_service", "qualified", "proposal_sent"):
        moved = await act(ana, conversation_id, "funil", {"etapa": stage})
        assert moved.status_code == 200, refusal(moved)
    won = await act(ana, conversation_id, "funil", {"etapa": "won"})
    assert toast(won) == "Etapa do funil: Ganho."
    assert "Ganho!" in text_of(won.text) and "hx-post" not in won.text.split("<dialog")[0]
