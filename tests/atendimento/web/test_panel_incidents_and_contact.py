"""The side panel's incidents, emergencies and contact without a browser: registering and moving an
incident, the emergency banner until acknowledged, the contact and its CRM lead, the proposal by
e-mail."""

from __future__ import annotations

import json

from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.funnel.models import DocumentDispatch
from carinho.atendimento.inbox.models import Contact
from carinho.atendimento.incidents.models import Incident, IncidentCategory
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import (
    act,
    conversation_row,
    n1_with_conversation,
    new_conversation,
    refusal,
    section,
    text_of,
    toast,
)

# ---------------------------------------------------------------------- incidents and emergencies


async def test_an_incident_is_registered_and_listed(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    page = await section(ana, conversation_id, "ocorrencias")
    assert "Nenhuma ocorrência nesta conversa." in page.text
    assert "Reclamação" in page.text and "Emergência de saúde (emergência)" in page.text
    no_title = await act(ana, conversation_id, "ocorrencias", {"categoria": "", "titulo": ""})
    assert no_title.status_code == 400 and "título" in refusal(no_title)
    async with seeded.db("atendimento").session() as session:
        late = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "atraso_cuidador"))
        ).scalar_one()
    done = await act(
        ana,
        conversation_id,
        "ocorrencias",
        {
            "categoria": str(late.id),
            "gravidade": "high",
            "titulo": "Cuidadora chegou 2 horas atrasada",
            "descricao": "Cliente ligou às 9h",
        },
    )
    assert done.status_code == 200, refusal(done)
    assert toast(done) == "Ocorrência registrada: Cuidadora chegou 2 horas atrasada."
    words = text_of(done.text)
    assert "Cuidadora chegou 2 horas atrasada" in words and "Aberta" in words and "Gravidade alta" in words
    assert "1 em aberto" in words
    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    assert (incident.conversation_id, incident.severity, incident.owner_id, incident.is_emergency) == (
        conversation_id,
        "high",
        ana.agent_id,
        False,
    )


async def test_an_incident_moves_through_its_statuses_resolution_required(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    async with seeded.db("atendimento").session() as session:
        other = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "outro"))
        ).scalar_one()
    await act(ana, conversation_id, "ocorrencias", {"categoria": str(other.id), "titulo": "Boleto duplicado"})
    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    url = f"ocorrencias/{incident.id}/status"
    listed = await section(ana, conversation_id, "ocorrencias")
    assert "Iniciar atendimento" in listed.text and "Resolver" not in listed.text  # only the allowed moves
    started = await act(ana, conversation_id, url, {"status": "in_progress"})
    assert toast(started) == "Ocorrência em andamento: Boleto duplicado."
    assert "Em andamento" in started.text and ">Resolver</summary>" in started.text
    unresolved = await act(ana, conversation_id, url, {"status": "resolved", "resolucao": " "})
    assert unresolved.status_code == 400
    assert refusal(unresolved) == "Informe a resolução para resolver a ocorrência."
    skipped = await act(ana, conversation_id, url, {"status": "closed"})
    assert skipped.status_code == 409 and "Transição inválida: Em andamento → Fechada" in refusal(skipped)
    resolved = await act(
        ana, conversation_id, url, {"status": "resolved", "resolucao": "Segundo boleto cancelado"}
    )
    assert resolved.status_code == 200, refusal(resolved)
    words = text_of(resolved.text)
    assert "Resolvida" in words and "Resolução: Segundo boleto cancelado" in words
    assert "Reabrir" in words and "Fechar" in words and "em aberto" not in words
    async with seeded.db("atendimento").session() as session:
        row = await session.get(Incident, incident.id)
        assert row is not None and (row.status, row.resolution) == ("resolved", "Segundo boleto cancelado")
    stranger = await make_person(Role.agent, SupportLevel.n1)
    refused = await act(stranger, conversation_id, url, {"status": "closed"})
    assert refused.status_code == 403


async def test_an_emergency_message_shows_the_banner_until_acknowledged(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    boss = await make_person(Role.supervisor, SupportLevel.n3)
    other = await make_person(Role.supervisor, SupportLevel.n3)
    conversation_id = await new_conversation(boss, "Socorro! Minha mãe desmaiou no banheiro")
    banner = (await section(boss, conversation_id, "emergencia")).text
    page = await boss.htmx("GET", f"/conversas/{conversation_id}/painel")
    assert 'class="emergency-banner" role="alert"' in banner
    assert "Emergência de saúde em andamento. A operação foi acionada" in text_of(banner)
    assert "Reconhecer emergência" in banner
    assert 'aria-current="step">N3' in page.text  # the emergency took it to N3
    assert "Emergência" in text_of(page.text.split('id="painel-ocorrencias"')[1])
    # anyone with it open refreshes the banner on the conversation's live event: still there
    assert "Reconhecer emergência" in (await section(other, conversation_id, "emergencia")).text

    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    attendant = await make_person(Role.agent, SupportLevel.n3)
    redeliver = await act(attendant, conversation_id, "emergencia/reenviar", {"ocorrencia": str(incident.id)})
    assert redeliver.status_code == 403  # a supervisor's action, as in the API

    ack = await act(boss, conversation_id, "emergencia/reconhecer", {"ocorrencia": str(incident.id)})
    assert ack.status_code == 200, refusal(ack)
    assert toast(ack) == "Emergência reconhecida: você está cuidando do caso."
    assert ack.text.startswith(f'<div id="emergencia-{conversation_id}"') and 'role="alert"' not in ack.text
    assert f"Reconhecida por {'Pessoa 1'}" in text_of(ack.text)
    async with seeded.db("atendimento").session() as session:
        assert (await session.get(Incident, incident.id)).acknowledged_by_id == boss.agent_id  # type: ignore[union-attr]
    # gone for the other supervisor too; the incident says who took charge
    assert 'role="alert"' not in (await section(other, conversation_id, "emergencia")).text
    assert "Reconhecida por" in text_of((await section(other, conversation_id, "ocorrencias")).text)


async def test_an_emergency_registered_from_the_panel_starts_the_emergency_flow(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    async with seeded.db("atendimento").session() as session:
        fall = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "queda_acidente"))
        ).scalar_one()
    done = await act(
        ana, conversation_id, "ocorrencias", {"categoria": str(fall.id), "titulo": "Queda no quarto"}
    )
    assert done.status_code == 200, refusal(done)
    assert toast(done) == "Emergência comunicada: a operação e os supervisores foram acionados."
    # Ana holds it, so she keeps it at N3; the banner arrives out of band, the level and SLA too
    assert (
        f'id="emergencia-{conversation_id}" class="emergency-slot"' in done.text
        and 'role="alert"' in done.text
    )
    assert 'aria-current="step">N3' in done.text and "Prioridade urgente" in done.text
    row = await conversation_row(seeded, conversation_id)
    assert (row.level, row.priority) == ("N3", "urgent")


# ---------------------------------------------------------------------- contact and proposal


async def test_the_contact_is_edited_and_links_to_the_crm_lead(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    row = await conversation_row(seeded, conversation_id)
    async with seeded.db("atendimento").session() as session:
        contact = await session.get(Contact, row.contact_id)
        assert contact is not None
        contact.crm_lead_id = "4521"
        await session.commit()
    seeded.settings.carinho_crm_url = "https://crm.carinho.com.vc"
    try:
        page = await section(ana, conversation_id, "contato")
    finally:
        seeded.settings.carinho_crm_url = ""
    assert 'href="https://crm.carinho.com.vc/leads/4521" target="_blank" rel="noopener"' in page.text
    assert "Lead 4521" in page.text
    assert "Lead 4521" in (await section(ana, conversation_id, "contato")).text  # no CRM address: no link

    bad = await act(ana, conversation_id, "contato", {"nome": "Maria Souza", "email": "maria@"})
    assert bad.status_code == 400 and refusal(bad) == "Informe um e-mail válido."
    empty = await act(ana, conversation_id, "contato", {"nome": " ", "email": ""})
    assert empty.status_code == 400 and "nome do contato" in refusal(empty)
    saved = await act(
        ana, conversation_id, "contato", {"nome": "Maria Aparecida Souza", "email": "Maria@Exemplo.com.br"}
    )
    assert saved.status_code == 200, refusal(saved)
    trigger = json.loads(saved.headers["hx-trigger"])
    assert trigger["carinho-toast"]["message"] == "Contato atualizado."
    assert f"carinho-live-{conversation_id}" in trigger  # the header and the list show the new name too
    assert "Maria Aparecida Souza" in saved.text and "maria@exemplo.com.br" in saved.text
    async with seeded.db("atendimento").session() as session:
        contact = await session.get(Contact, row.contact_id)
        assert contact is not None and (contact.name, contact.email) == (
            "Maria Aparecida Souza",
            "maria@exemplo.com.br",
        )


async def test_the_proposal_greets_by_first_name_without_the_honorific(make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    saved = await act(
        ana, conversation_id, "contato", {"nome": "Dona Rosa Lima", "email": "rosa@exemplo.com.br"}
    )
    assert saved.status_code == 200, refusal(saved)
    text = text_of((await section(ana, conversation_id, "contato")).text)
    assert "Olá, Rosa!" in text and "Olá, Dona!" not in text


async def test_the_proposal_goes_by_email_and_moves_a_qualified_lead(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    form = {"assunto": "Proposta de atendimento", "mensagem": "Segue a proposta.", "link": ""}
    no_address = await act(ana, conversation_id, "proposta", {**form, "email": ""})
    assert no_address.status_code == 400
    assert refusal(no_address) == "O contato não tem e-mail: informe o endereço de destino."
    bad_link = await act(
        ana, conversation_id, "proposta", {**form, "email": "ana@x.com.br", "link": "ftp://x"}
    )
    assert bad_link.status_code == 400 and "http(s)" in refusal(bad_link)
    for stage in ("in_service", "qualified"):
        await act(ana, conversation_id, "funil", {"etapa": stage})
    sent = await act(
        ana,
        conversation_id,
        "proposta",
        {**form, "email": "familia@exemplo.com.br", "link": "https://docs.carinho.com.vc/p/1"},
    )
    assert sent.status_code == 200, refusal(sent)
    assert toast(sent) == "Proposta a caminho de familia@exemplo.com.br."
    words = text_of(sent.text)
    assert "Proposta · familia@exemplo.com.br" in words and "na fila" in words
    assert "Proposta enviada" in words  # the funnel, out of band
    async with seeded.db("atendimento").session() as session:
        dispatch = (await session.execute(select(DocumentDispatch))).scalar_one()
    assert (dispatch.kind, dispatch.email, dispatch.status, dispatch.document_url) == (
        "proposal",
        "familia@exemplo.com.br",
        "queued",
        "https://docs.carinho.com.vc/p/1",
    )
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "proposal_sent"
