"""Configurações › Modelos: a supervisor edits a template with a live preview of its variables,
and the next automatic message uses the edited text; bad variables are refused in pt-BR."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.templates.models import MessageTemplate
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at, post_webhook, received
from tests.atendimento.web.conftest import MakePerson


async def template_id(rt: Runtime, key: str) -> int:
    async with rt.db("atendimento").session() as session:
        found = (
            await session.execute(select(MessageTemplate.id).where(MessageTemplate.key == key))
        ).scalar_one()
    return int(found)


async def test_the_preview_fills_the_variables_as_the_supervisor_types(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    answer = await supervisor.htmx(
        "POST",
        "/configuracoes/modelos/previa",
        data={"body": "Oi {{primeiro_nome}}, protocolo {{protocolo}}."},
    )
    assert answer.status_code == 200
    assert "Oi Maria, protocolo ATD-001234." in answer.text
    bad = await supervisor.htmx("POST", "/configuracoes/modelos/previa", data={"body": "Oi {{apelido}}"})
    assert "Variáveis desconhecidas: apelido" in bad.text


async def test_an_edited_welcome_is_what_the_next_new_contact_receives(
    make_person: MakePerson, seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)
    welcome = await template_id(seeded, "welcome")
    page = await supervisor.page(f"/configuracoes/modelos/{welcome}")
    assert page.status_code == 200
    assert "Automática: Boas-vindas no primeiro contato" in page.text
    assert "Olá, Maria! Aqui é da Carinho com Você." in html.unescape(page.text)  # the preview

    saved = await supervisor.form(
        f"/configuracoes/modelos/{welcome}",
        {
            "name": "Boas-vindas",
            "category": "boas_vindas",
            "body": "Bom dia, {{primeiro_nome}}! Já vamos te atender.",
        },
    )
    assert saved.status_code == 303
    assert "Alterações salvas" in (await supervisor.page(saved.headers["location"])).text

    response = await post_webhook(atendimento, received("TPL-1", phone="5511955550001"))
    conversation = int(response.json()["conversation_id"])
    messages = await supervisor.page(f"/conversas/{conversation}")
    assert "Bom dia, Maria! Já vamos te atender." in html.unescape(messages.text)


async def test_an_unknown_variable_keeps_the_form_and_the_old_text(
    make_person: MakePerson, seeded: Runtime
) -> None:
    supervisor = await make_person(Role.supervisor)
    welcome = await template_id(seeded, "welcome")
    answer = await supervisor.form(
        f"/configuracoes/modelos/{welcome}",
        {"name": "Boas-vindas", "category": "boas_vindas", "body": "Oi {{apelido}}"},
    )
    assert answer.status_code == 422
    assert "Variáveis desconhecidas no modelo: apelido" in html.unescape(answer.text)
    assert "Oi {{apelido}}</textarea>" in html.unescape(answer.text)
    async with seeded.db("atendimento").session() as session:
        template = await session.get(MessageTemplate, welcome)
        assert template is not None and template.body.startswith("Olá, {{primeiro_nome}}!")


async def test_a_new_template_and_a_rule_switched_to_it(make_person: MakePerson, seeded: Runtime) -> None:
    supervisor = await make_person(Role.supervisor)
    created = await supervisor.form(
        "/configuracoes/modelos/novo",
        {"name": "Fila longa", "category": "fila", "body": "Só mais um pouco, {{primeiro_nome}}."},
    )
    assert created.status_code == 303
    new_id = int(re.search(r"/modelos/(\d+)", created.headers["location"]).group(1))  # type: ignore[union-attr]
    rule = await supervisor.form(
        "/configuracoes/automaticas/queue_notice",
        {"enabled": "sim", "template_id": str(new_id), "delay_minutes": "7"},
    )
    assert rule.status_code == 303
    page = (await supervisor.page("/configuracoes/modelos")).text
    assert "Automática: Aviso de fila" in page
    assert re.search(r'id="tempo-queue_notice"[^>]*value="7"', page)
    off = await supervisor.form("/configuracoes/automaticas/queue_notice", {"template_id": str(new_id)})
    assert off.status_code == 303
    assert "Automática: Aviso de fila" not in (await supervisor.page("/configuracoes/modelos")).text
    bad = await supervisor.form("/configuracoes/automaticas/desconhecida", {})
    assert bad.status_code == 400 and "Regra automática desconhecida" in bad.text
