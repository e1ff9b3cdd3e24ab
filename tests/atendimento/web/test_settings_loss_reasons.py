"""Configurações › Motivos de perda: the catalogue in its order with how many losses used each;
create (a code made from the name), rename and reorder, deactivate — a used reason is kept for the
losses already recorded and leaves the attendant's list; refusals in pt-BR."""

from __future__ import annotations

import html

from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.funnel.models import LossReason
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import api, n1_with_conversation, text_of

URL = "/configuracoes/motivos-de-perda"


async def reason(rt: Runtime, code: str) -> LossReason | None:
    async with rt.db("atendimento").session() as session:
        return (await session.execute(select(LossReason).where(LossReason.code == code))).scalar_one_or_none()


def row_of(page: str, reason_id: int) -> str:
    return page[page.index(f'id="motivo-{reason_id}"') :].split("</tr>", 1)[0]


async def test_a_used_reason_is_deactivated_not_deleted_and_leaves_the_attendants_list(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    price = await reason(seeded, "preco")
    assert price is not None
    supervisor = await make_person(Role.supervisor)
    for stage in ("in_service", "lost"):
        moved = await supervisor.htmx(
            "POST",
            f"/supervisao/funil/{conversation_id}/mover",
            data={"etapa": stage, "motivo": str(price.id)},
        )
        assert moved.status_code == 200, moved.text

    page = await supervisor.page(URL)
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Motivos de perda</a>' in page.text
    words = text_of(page.text)
    assert words.index("Preço preco") < words.index("Fora da área de atendimento fora_area")  # in order
    assert "1 Preço preco Ativo 1 " in text_of(row_of(page.text, price.id))  # order, name, state, losses

    off = await supervisor.form(f"{URL}/{price.id}", {"active": "nao"})
    assert off.status_code == 303
    row = text_of(row_of((await supervisor.page(URL)).text, price.id))
    assert "Desativado" in row and "Reativar" in row
    offered = await api(ana, "GET", "/api/loss-reasons")
    assert "preco" not in [r["code"] for r in offered.json()]
    still = await reason(seeded, "preco")
    assert still is not None and still.active is False  # kept: the loss above still names it
    assert (await supervisor.form(f"{URL}/{price.id}", {"active": "sim"})).status_code == 303
    assert "preco" in [r["code"] for r in (await api(ana, "GET", "/api/loss-reasons")).json()]


async def test_a_new_reason_gets_a_code_from_its_name_and_is_renamed_and_reordered(
    seeded: Runtime, make_person: MakePerson
) -> None:
    supervisor = await make_person(Role.supervisor)
    created = await supervisor.form(
        f"{URL}/novo", {"label": "Família não respondeu à proposta", "position": "0"}
    )
    assert created.status_code == 303, created.text
    new = await reason(seeded, "familia_nao_respondeu_a_proposta")
    assert new is not None and new.position == 0 and new.active
    words = text_of((await supervisor.page(created.headers["location"])).text)
    assert "Alterações salvas." in words
    assert words.index("Família não respondeu à proposta") < words.index("Preço preco")  # first now

    saved = await supervisor.form(f"{URL}/{new.id}", {"label": "Família sem retorno", "position": "50"})
    assert saved.status_code == 303
    edited = await reason(seeded, "familia_nao_respondeu_a_proposta")
    assert edited is not None and edited.label == "Família sem retorno" and edited.position == 50
    words = text_of((await supervisor.page(URL)).text)
    assert words.index("Outro outro") < words.index("Família sem retorno")

    coded = await supervisor.form(f"{URL}/novo", {"label": "Mudou de cidade", "code": "mudou_cidade"})
    assert coded.status_code == 303
    moved = await reason(seeded, "mudou_cidade")
    assert moved is not None and moved.position == 100


async def test_bad_input_is_refused_in_portuguese(seeded: Runtime, make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    bad_code = await supervisor.form(f"{URL}/novo", {"label": "Caro demais", "code": "Preço-Alto"})
    assert bad_code.status_code == 422
    text = html.unescape(bad_code.text)
    assert "O código usa só letras minúsculas sem acento, números e _ (até 48), como preco_alto." in text
    assert 'value="Caro demais"' in text  # what she typed stays
    twice = await supervisor.form(f"{URL}/novo", {"label": "Preço de novo", "code": "preco"})
    assert twice.status_code == 422 and "Já existe um motivo com o código preco." in html.unescape(twice.text)

    price = await reason(seeded, "preco")
    assert price is not None
    bad_order = await supervisor.form(f"{URL}/{price.id}", {"label": "Preço", "position": "primeiro"})
    assert bad_order.status_code == 422
    row = html.unescape(row_of(bad_order.text, price.id))
    assert '<details class="team-edit" open>' in row and "A ordem é um número inteiro de 0 a 10.000." in row
    nameless = await supervisor.form(f"{URL}/{price.id}", {"label": "", "position": "1"})
    assert "Dê um nome ao motivo (até 120 caracteres)." in html.unescape(nameless.text)
    unchanged = await reason(seeded, "preco")
    assert unchanged is not None and unchanged.label == "Preço" and unchanged.position == 1
    assert (await supervisor.form(f"{URL}/999999", {"active": "nao"})).status_code == 404


async def test_an_attendant_is_refused(seeded: Runtime, make_person: MakePerson) -> None:
    ana = await make_person(Role.agent)
    page = await ana.page(URL)
    assert page.status_code == 403 and "Acesso negado" in page.text
    price = await reason(seeded, "preco")
    assert price is not None
    assert (await ana.form(f"{URL}/{price.id}", {"active": "nao"})).status_code == 403
    assert (await ana.form(f"{URL}/novo", {"label": "Qualquer"})).status_code == 403
    still = await reason(seeded, "preco")
    assert still is not None and still.active
