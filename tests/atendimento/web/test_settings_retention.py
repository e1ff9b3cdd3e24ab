"""Configurações › Retenção de dados: each period said in plain words, edited with refusals in
pt-BR, the legal exceptions of an erasure, and "Executar agora" — a run that anonymises what is
past its period and shows when, how many rows and its status."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from carinho.atendimento.agents.models import Role
from carinho.atendimento.retention.models import DataClass
from carinho.atendimento.retention.service import retention_service
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import n1_with_conversation, text_of
from tests.support.jobs import drain

URL = "/configuracoes/retencao"
DEFAULTS = {
    "meses-message_text": "24",
    "meses-attachments": "12",
    "meses-contact_data": "60",
    "meses-audit_trail": "60",
    "keep_active_conversations": "sim",
    "keep_open_incidents": "sim",
    "keep_contracts": "sim",
    "contract_retention_months": "60",
    "export_ttl_days": "7",
}


async def months(rt: Runtime) -> dict[DataClass, int | None]:
    async with rt.db("atendimento").session() as session:
        return (await retention_service.config(session)).months


async def test_the_periods_read_in_plain_words_and_are_edited(
    seeded: Runtime, make_person: MakePerson
) -> None:
    supervisor = await make_person(Role.supervisor)
    page = await supervisor.page(URL)
    assert page.status_code == 200, page.text
    assert 'aria-current="page">Retenção de dados</a>' in page.text
    words = text_of(html.unescape(page.text))
    assert (
        "O texto de mensagens, notas, triagens e observações de conversas encerradas é substituído "
        "por “removido pela política de retenção” 2 anos depois de escrito." in words
    )
    assert "Links de mídia, nomes de arquivo e legendas de conversas encerradas são apagados 1 ano" in words
    assert "Nenhuma execução ainda" in words

    saved = await supervisor.form(
        URL,
        {
            **DEFAULTS,
            "meses-message_text": "18",
            "meses-attachments": "0",
            "keep_contracts": "",
            "export_ttl_days": "10",
        },
    )
    assert saved.status_code == 303, saved.text
    words = text_of(html.unescape((await supervisor.page(saved.headers["location"])).text))
    assert "Alterações salvas." in words and "18 meses depois de escrito" in words
    assert "Guardado para sempre (prazo 0)" in words
    current = await months(seeded)
    assert current[DataClass.message_text] == 18 and current[DataClass.attachments] is None
    async with seeded.db("atendimento").session() as session:
        settings = (await retention_service.config(session)).settings
        assert settings.keep_contracts is False and settings.keep_active_conversations is True
        assert settings.export_ttl_days == 10


async def test_a_period_out_of_range_is_refused_in_portuguese(
    seeded: Runtime, make_person: MakePerson
) -> None:
    supervisor = await make_person(Role.supervisor)
    negative = await supervisor.form(URL, {**DEFAULTS, "meses-message_text": "-3"})
    assert negative.status_code == 422
    text = html.unescape(negative.text)
    assert "Texto das conversas: de 0 a 1.200 meses (0 = guardar para sempre)." in text
    assert 'id="meses-message_text" name="meses-message_text" type="number" value="-3"' in text
    words = await supervisor.form(URL, {**DEFAULTS, "meses-audit_trail": "dez"})
    assert "Histórico de ações: de 0 a 1.200 meses" in html.unescape(words.text)
    too_long = await supervisor.form(URL, {**DEFAULTS, "export_ttl_days": "120"})
    assert too_long.status_code == 422
    assert "Dias para baixar uma exportação: de 1 a 90." in html.unescape(too_long.text)
    assert (await months(seeded))[DataClass.message_text] == 24


async def test_run_now_anonymises_what_is_past_its_period_and_lists_the_run(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person, "Meu endereço é Rua das Acácias 10")
    resolved = await ana.htmx("POST", f"/conversas/{conversation_id}/status", data={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    freeze_at(OPEN_INSTANT + timedelta(days=45))  # a month and a half later (a new session)
    supervisor = await make_person(Role.supervisor)
    assert (await supervisor.form(URL, {**DEFAULTS, "meses-message_text": "1"})).status_code == 303

    started = await supervisor.form(f"{URL}/executar", {})
    assert started.status_code == 303
    page = text_of(html.unescape((await supervisor.page(started.headers["location"])).text))
    assert "Execução iniciada" in page and "Em andamento" in page
    await drain(seeded, ("atendimento",))

    page = text_of(html.unescape((await supervisor.page(started.headers["location"])).text))
    assert re.search(r"Execução concluída: [1-9]\d* registros anonimizados\.", page), page
    row = page[page.index("Últimas execuções") :]
    assert "Manual (Pessoa" in row and "Concluída" in row and "Em andamento" not in row
    counted = re.search(r"Concluída em [\d/: ]+ (\d+) Texto das conversas: (\d+) · Anexos: 0", row)
    assert counted and counted.group(1) == counted.group(2) != "0", row[:600]  # the thread's messages
    conversation = await supervisor.page(f"/conversas/{conversation_id}")
    assert "Acácias" not in html.unescape(conversation.text)


async def test_an_attendant_is_refused(seeded: Runtime, make_person: MakePerson) -> None:
    ana = await make_person(Role.agent)
    page = await ana.page(URL)
    assert page.status_code == 403 and "Acesso negado" in page.text
    assert (await ana.form(URL, {**DEFAULTS, "meses-message_text": "1"})).status_code == 403
    assert (await ana.form(f"{URL}/executar", {})).status_code == 403
    assert (await months(seeded))[DataClass.message_text] == 24
