"""Configurações › Checklists de triagem: the current version's questions in order with their
required flags, the earlier versions read-only; "Nova versão" reorders (up / down buttons, the focus
kept on the button used), adds, removes and edits questions, and publishes the next version — what
the API and new triages use; bad questions refused in pt-BR with nothing published."""

from __future__ import annotations

import html
import re
from typing import Any

from carinho.atendimento.agents.models import Role
from tests.atendimento.conftest import MakeAgent
from tests.atendimento.web.conftest import MakePerson, Person

EDITOR = "/configuracoes/triagem/qualificacao_lead/nova-versao"


def form_of(checklist: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The editor's form for the questions of `checklist` (as the API shows them)."""
    form: dict[str, Any] = {"title": checklist["title"], "total": len(checklist["questions"])}
    for i, q in enumerate(checklist["questions"]):
        form |= {
            f"q-{i}-code": q["code"],
            f"q-{i}-text": q["text"],
            f"q-{i}-qtype": q["qtype"],
            f"q-{i}-options": ", ".join(q["options"]),
            f"q-{i}-disqualifying": ", ".join("não" if v is False else str(v) for v in q["disqualifying"]),
        }
        if q["required"]:
            form[f"q-{i}-required"] = "sim"
    return form | extra


def drafted_texts(page: str) -> list[str]:
    return [
        html.unescape(t)
        for t in re.findall(r'<input type="text" id="q-\d+-text" name="q-\d+-text" value="([^"]*)"', page)
    ]


async def current(api: Any) -> dict[str, Any]:
    versions = (await api.get("/api/triage/checklists", params={"key": "qualificacao_lead"})).json()
    return next(v for v in versions if v["current"])


async def test_the_current_version_in_order_with_its_required_flags(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    page = await supervisor.page("/configuracoes/triagem")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Qualificação de lead de cuidador domiciliar" in text
    assert "Versão 1 em uso" in text and "11 perguntas, 7 obrigatórias" in text
    assert text.index("Quem precisa do cuidado?") < text.index("Qual a idade") < text.index("Turno desejado")
    assert "Opções: Pai ou mãe, Avô ou avó" in text and "Desqualifica: não" in text
    assert 'href="/configuracoes/triagem/qualificacao_lead/nova-versao"' in text
    assert "Versões anteriores" not in text


async def test_the_editor_moves_adds_and_removes_without_saving(
    make_person: MakePerson, make_agent: MakeAgent
) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    checklist = await current(api)
    editor = (await supervisor.page(EDITOR)).text
    assert "Publicar versão 2" in editor
    assert drafted_texts(editor) == [q["text"] for q in checklist["questions"]]

    moved = await supervisor.form(EDITOR, form_of(checklist, acao="descer:0"))
    assert moved.status_code == 200
    texts = drafted_texts(moved.text)
    assert texts[:2] == ["Qual a idade da pessoa que receberá o cuidado?", "Quem precisa do cuidado?"]
    assert re.search(r'id="q-1-descer"[^>]*autofocus', moved.text)  # the focus stays on the button used

    last = len(checklist["questions"]) - 1
    to_top = await supervisor.form(EDITOR, form_of(checklist, acao="subir:1"))
    assert drafted_texts(to_top.text)[0] == "Qual a idade da pessoa que receberá o cuidado?"
    assert re.search(r'id="q-0-descer"[^>]*autofocus', to_top.text)  # Subir is disabled at the top
    added = await supervisor.form(EDITOR, form_of(checklist, acao="adicionar"))
    assert len(drafted_texts(added.text)) == last + 2
    assert re.search(rf'id="q-{last + 1}-text"[^>]*autofocus', added.text)
    removed = await supervisor.form(EDITOR, form_of(checklist, acao="remover:0"))
    assert "Quem precisa do cuidado?" not in drafted_texts(removed.text)

    assert (await current(api))["version"] == 1  # nothing published


async def test_publishing_makes_the_next_version_current(
    make_person: MakePerson, make_agent: MakeAgent
) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    checklist = await current(api)
    n = len(checklist["questions"])
    form = form_of(checklist)
    # Turno first, age optional, a new required yes/no question at the end.
    turno = next(i for i, q in enumerate(checklist["questions"]) if q["code"] == "turno")
    for field in ("code", "text", "qtype", "options", "disqualifying", "required"):
        first, other = form.pop(f"q-0-{field}", None), form.pop(f"q-{turno}-{field}", None)
        if other is not None:
            form[f"q-0-{field}"] = other
        if first is not None:
            form[f"q-{turno}-{field}"] = first
    form.pop("q-1-required")
    form |= {
        "total": n + 1,
        f"q-{n}-text": "Há animais de estimação na casa?",
        f"q-{n}-qtype": "yes_no",
        f"q-{n}-required": "sim",
        "acao": "publicar",
    }
    published = await supervisor.form(EDITOR, form)
    assert published.status_code == 303, html.unescape(published.text)[-2000:]

    new = await current(api)
    assert new["version"] == 2
    assert [q["code"] for q in new["questions"]][:2] == ["turno", "idade"]
    assert new["questions"][1]["required"] is False
    assert new["questions"][-1]["code"] == "ha_animais_de_estimacao_na_casa"
    page = html.unescape((await supervisor.page(published.headers["location"])).text)
    assert "Nova versão publicada" in page and "Versão 2 em uso" in page
    assert "Versões anteriores" in page and "Versão 1 — Qualificação de lead" in page


async def bad(supervisor: Person, form: dict[str, Any]) -> str:
    answer = await supervisor.form(EDITOR, form | {"acao": "publicar"})
    assert answer.status_code == 422
    return html.unescape(answer.text)


async def test_bad_questions_are_refused_in_pt_br(make_person: MakePerson, make_agent: MakeAgent) -> None:
    supervisor = await make_person(Role.supervisor)
    api = await make_agent(Role.supervisor)
    checklist = await current(api)
    one_option = await bad(supervisor, form_of(checklist, **{"q-0-options": "Pai ou mãe"}))
    assert "A pergunta quem_precisa precisa de ao menos duas opções." in one_option
    assert 'value="Pai ou mãe"' in one_option  # the draft is kept
    assert "Pergunta 2: escreva o texto" in await bad(supervisor, form_of(checklist, **{"q-1-text": "  "}))
    maybe = await bad(supervisor, form_of(checklist, **{"q-5-disqualifying": "talvez"}))
    assert "Pergunta 6: as respostas que desqualificam são sim ou não." in maybe
    twice = await bad(supervisor, form_of(checklist, **{"q-1-code": "quem_precisa"}))
    assert "Cada pergunta precisa de um código único." in twice
    assert "Dê um título" in await bad(supervisor, form_of(checklist, title=""))
    assert "precisa de 1 a 100 perguntas" in await bad(supervisor, {"title": "Vazio", "total": 0})
    assert (await current(api))["version"] == 1


async def test_an_attendant_is_refused(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent)
    for url in ("/configuracoes/triagem", EDITOR):
        page = await attendant.page(url)
        assert page.status_code == 403 and "Acesso negado" in page.text
    assert (await attendant.form(EDITOR, {"acao": "publicar", "title": "X", "total": 0})).status_code == 403
