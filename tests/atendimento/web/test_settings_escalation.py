"""Configurações › Regras de escalonamento: the rules listed with what fires them; a supervisor
creates a keyword rule and the next message with the word escalates; edit, switch off, delete (after
a confirmation); the automatic reassignment; bad input refused in pt-BR with nothing saved."""

from __future__ import annotations

import html
import re

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import conversation, message
from tests.atendimento.web.conftest import MakePerson


def rule_id(page: str, name: str) -> int:
    match = re.search(rf'<tr id="regra-(\d+)"[^>]*>\s*<th scope="row"><a [^>]*>{re.escape(name)}</a>', page)
    assert match, name
    return int(match.group(1))


async def test_the_rules_are_listed_with_what_fires_them(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    page = await supervisor.page("/configuracoes/escalonamento")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Emergência de saúde na mensagem" in text and "Palavras-chave na mensagem do cliente" in text
    assert "Procon, Reclame Aqui, vou processar" in text
    assert "Abre emergência" in text and "N3 · prioridade urgente" in text
    assert 'data-open-dialog="excluir-' in text and "Excluir a regra?" in text  # deleting asks first
    assert "Reatribuição automática" in text and 'id="regra-tipo"' in text  # a new rule starts with its kind


async def test_a_new_keyword_rule_escalates_the_next_message_with_the_word(
    make_person: MakePerson, make_agent: MakeAgent, seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    freeze_at(OPEN_INSTANT)
    await make_agent(Role.agent, SupportLevel.n2)
    supervisor = await make_person(Role.supervisor)
    form = await supervisor.page("/configuracoes/escalonamento?tipo=keyword")
    assert "Palavras-chave na mensagem do cliente" in form.text and 'name="keywords"' in form.text
    assert 'name="sla_target"' not in form.text  # only the conditions of this kind

    created = await supervisor.form(
        "/configuracoes/escalonamento/nova",
        {
            "kind": "keyword",
            "name": "Cobrança indevida",
            "keywords": "cobrança indevida, estorno,",
            "target_level": "N2",
            "raise_priority": "high",
            "active": "sim",
        },
    )
    assert created.status_code == 303
    page = html.unescape((await supervisor.page(created.headers["location"])).text)
    assert "Alterações salvas" in page and "cobrança indevida, estorno" in page

    calm = await message(atendimento, "Bom dia, queria saber dos valores", phone="5511911114001")
    assert (await conversation(seeded, calm)).level == "N1"
    angry = await message(atendimento, "Quero o ESTORNO do mês passado", phone="5511911114002")
    escalated = await conversation(seeded, angry)
    assert escalated.level == "N2" and escalated.priority == "high"


async def test_edit_switch_off_and_delete_a_rule(make_person: MakePerson, make_agent: MakeAgent) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    page = (await supervisor.page("/configuracoes/escalonamento")).text
    threat = rule_id(html.unescape(page), "Ameaça de reclamação formal")

    editor = html.unescape((await supervisor.page(f"/configuracoes/escalonamento/{threat}")).text)
    assert "Editar: Ameaça de reclamação formal" in editor and "Procon, Reclame Aqui" in editor
    saved = await supervisor.form(
        f"/configuracoes/escalonamento/{threat}",
        {
            "name": "Ameaça de reclamação",
            "keywords": "Procon, advogado",
            "target_level": "N3",
            "active": "sim",
        },
    )
    assert saved.status_code == 303
    rule = (await api.get(f"/api/escalation/rules/{threat}")).json()
    assert rule["name"] == "Ameaça de reclamação" and rule["keywords"] == ["Procon", "advogado"]
    assert rule["target_level"] == "N3" and rule["raise_priority"] is None

    off = await supervisor.form(f"/configuracoes/escalonamento/{threat}/ativa", {"active": ""})
    assert off.status_code == 303
    assert (await api.get(f"/api/escalation/rules/{threat}")).json()["active"] is False
    assert "Reativar" in (await supervisor.page("/configuracoes/escalonamento")).text

    deleted = await supervisor.form(f"/configuracoes/escalonamento/{threat}/excluir", {})
    assert deleted.status_code == 303
    assert (await api.get(f"/api/escalation/rules/{threat}")).status_code == 404
    assert "Ameaça de reclamação" not in (await supervisor.page("/configuracoes/escalonamento")).text


async def test_bad_rules_are_refused_in_pt_br_and_nothing_is_saved(
    make_person: MakePerson, make_agent: MakeAgent
) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    no_words = await supervisor.form(
        "/configuracoes/escalonamento/nova",
        {"kind": "keyword", "name": "Sem palavras", "keywords": " , ", "target_level": "N2", "active": "sim"},
    )
    assert no_words.status_code == 422
    assert "precisa de ao menos uma palavra ou frase" in html.unescape(no_words.text)
    assert 'value="Sem palavras"' in no_words.text  # the form keeps what she typed
    no_name = await supervisor.form(
        "/configuracoes/escalonamento/nova", {"kind": "reopenings", "name": "", "threshold": "3"}
    )
    assert no_name.status_code == 422 and "Dê um nome à regra" in html.unescape(no_name.text)
    bad_count = await supervisor.form(
        "/configuracoes/escalonamento/nova",
        {
            "kind": "reopenings",
            "name": "Muitas",
            "threshold": "três",
            "window_hours": "24",
            "target_level": "N2",
        },
    )
    assert bad_count.status_code == 422 and "Reaberturas: informe de 1 a 100." in bad_count.text
    assert not [
        r for r in (await api.get("/api/escalation/rules")).json() if r["name"] in ("Sem palavras", "Muitas")
    ]

    rules = (await api.get("/api/escalation/rules", params={"kind": "keyword"})).json()
    emergency = next(r for r in rules if r["opens_emergency"])
    emptied = await supervisor.form(
        f"/configuracoes/escalonamento/{emergency['id']}",
        {
            "name": emergency["name"],
            "keywords": "",
            "target_level": "N3",
            "opens_emergency": "sim",
            "active": "sim",
        },
    )
    assert emptied.status_code == 422
    assert (await api.get(f"/api/escalation/rules/{emergency['id']}")).json()["keywords"] == emergency[
        "keywords"
    ]


async def test_the_automatic_reassignment(make_person: MakePerson, make_agent: MakeAgent) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    saved = await supervisor.form("/configuracoes/escalonamento/ajustes", {"auto_reassign_minutes": "25"})
    assert saved.status_code == 303
    settings = (await api.get("/api/escalation/settings")).json()
    assert settings["auto_reassign_enabled"] is False and settings["auto_reassign_minutes"] == 25
    bad = await supervisor.form(
        "/configuracoes/escalonamento/ajustes", {"auto_reassign_enabled": "sim", "auto_reassign_minutes": "0"}
    )
    assert bad.status_code == 422 and "Reatribuição: informe de 1 a 480 minutos úteis." in html.unescape(
        bad.text
    )
    assert (await api.get("/api/escalation/settings")).json()["auto_reassign_enabled"] is False


async def test_an_attendant_is_refused(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent)
    page = await attendant.page("/configuracoes/escalonamento")
    assert page.status_code == 403 and "Acesso negado" in page.text
    created = await attendant.form(
        "/configuracoes/escalonamento/nova",
        {"kind": "keyword", "name": "X", "keywords": "x", "target_level": "N2"},
    )
    assert created.status_code == 403
