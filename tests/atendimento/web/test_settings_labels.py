"""Configurações › Etiquetas: the labels with their colour and usage; create, rename and recolour,
delete after a dialog that says how many conversations carry the label; refusals in pt-BR."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.labels.models import Label
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import conversation_row, n1_with_conversation, text_of

URL = "/configuracoes/etiquetas"


async def label_named(rt: Runtime, name: str) -> Label | None:
    async with rt.db("atendimento").session() as session:
        return (await session.execute(select(Label).where(Label.name == name))).scalar_one_or_none()


def delete_dialog(page: str, label_id: int) -> str:
    match = re.search(rf'<dialog id="excluir-{label_id}".*?</dialog>', page, re.S)
    assert match, label_id
    return text_of(html.unescape(match.group(0)))


async def test_the_list_shows_colour_and_usage_and_the_delete_dialog_counts(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    finance = await label_named(seeded, "Financeiro")
    assert finance is not None
    labelled = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/etiquetas", data={"label_id": finance.id}
    )
    assert labelled.status_code == 200, labelled.text
    supervisor = await make_person(Role.supervisor)

    page = await supervisor.page(URL)
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Etiquetas</a>' in page.text  # its tab among Configurações'
    row = page.text[page.text.index(f'id="etiqueta-{finance.id}"') :].split("</tr>", 1)[0]
    assert 'style="--chip: #D97706"' in row and ">Financeiro</span>" in row
    assert 'aria-label="1 conversa com Financeiro">1</a>' in row
    assert "1 conversa tem esta etiqueta; ela será retirada dessa conversa." in delete_dialog(
        page.text, finance.id
    )
    urgent = await label_named(seeded, "Urgente")
    assert urgent is not None
    assert "Nenhuma conversa tem esta etiqueta." in delete_dialog(page.text, urgent.id)

    deleted = await supervisor.form(f"{URL}/{finance.id}/excluir", {})
    assert deleted.status_code == 303
    after = (await supervisor.page(deleted.headers["location"])).text
    assert "Etiqueta excluída." in after and ">Financeiro</span>" not in after
    assert await label_named(seeded, "Financeiro") is None
    conversation = await supervisor.page(f"/conversas/{conversation_id}")
    assert "Remover etiqueta Financeiro" not in conversation.text
    assert (await conversation_row(seeded, conversation_id)).id == conversation_id  # the conversation stays


async def test_a_label_created_renamed_and_recoloured(seeded: Runtime, make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    created = await supervisor.form(
        f"{URL}/nova", {"name": "Cuidador noturno", "color": "#0ea5e9", "description": "Plantões à noite"}
    )
    assert created.status_code == 303, created.text
    label = await label_named(seeded, "Cuidador noturno")
    assert label is not None and label.color == "#0EA5E9" and label.description == "Plantões à noite"
    page = (await supervisor.page(created.headers["location"])).text
    assert "Alterações salvas." in page and 'style="--chip: #0EA5E9"' in page

    saved = await supervisor.form(
        f"{URL}/{label.id}", {"name": "Plantão noturno", "color": "#123abc", "description": ""}
    )
    assert saved.status_code == 303
    renamed = await label_named(seeded, "Plantão noturno")
    assert renamed is not None and renamed.id == label.id and renamed.color == "#123ABC"
    assert await label_named(seeded, "Cuidador noturno") is None
    assert 'style="--chip: #123ABC"' in (await supervisor.page(URL)).text


async def test_bad_input_is_refused_in_portuguese_and_keeps_what_was_typed(
    seeded: Runtime, make_person: MakePerson
) -> None:
    supervisor = await make_person(Role.supervisor)
    bad_colour = await supervisor.form(f"{URL}/nova", {"name": "Plantão", "color": "vermelho"})
    assert bad_colour.status_code == 422
    assert "A cor deve estar no formato #RRGGBB, como #DC2626." in html.unescape(bad_colour.text)
    assert 'id="nova-nome" name="name" type="text" value="Plantão"' in bad_colour.text
    assert await label_named(seeded, "Plantão") is None

    twice = await supervisor.form(f"{URL}/nova", {"name": "Urgente", "color": "#000000"})
    assert twice.status_code == 422
    assert "Já existe uma etiqueta chamada Urgente." in html.unescape(twice.text)

    urgent = await label_named(seeded, "Urgente")
    assert urgent is not None
    nameless = await supervisor.form(f"{URL}/{urgent.id}", {"name": " ", "color": "#DC2626"})
    assert nameless.status_code == 422
    row = html.unescape(
        nameless.text[nameless.text.index(f'id="etiqueta-{urgent.id}"') :].split("</tr>", 1)[0]
    )
    assert '<details class="team-edit" open>' in row and "Dê um nome à etiqueta (até 64 caracteres)." in row
    assert (await label_named(seeded, "Urgente")) is not None
    assert (await supervisor.form(f"{URL}/999999/excluir", {})).status_code == 404


async def test_an_attendant_is_refused(seeded: Runtime, make_person: MakePerson) -> None:
    ana = await make_person(Role.agent)
    page = await ana.page(URL)
    assert page.status_code == 403 and "Acesso negado" in page.text
    urgent = await label_named(seeded, "Urgente")
    assert urgent is not None
    assert (await ana.form(f"{URL}/{urgent.id}/excluir", {})).status_code == 403
    assert (await ana.form(f"{URL}/nova", {"name": "X", "color": "#000000"})).status_code == 403
    assert await label_named(seeded, "Urgente") is not None
