"""The conversation header's actions without a browser: take, priority, labels, resolve and reopen,
transfer, assign (supervisor vs attendant), and another attendant's conversation as the 403 page."""

from __future__ import annotations

from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.labels.models import Label
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    freeze_at,
)
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.conversation_support import (
    conversation_row,
    incoming,
    messages_of,
    thread,
    toast,
)

# ---------------------------------------------------------------------- header actions, roles, access


async def test_an_attendant_takes_prioritises_labels_resolves_and_reopens(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_person(Role.supervisor)  # creating it assigns nothing (not an attendant)
    conversation_id = await incoming(supervisor, "IN-1")
    ana = await make_person(Role.agent)
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    header = page[page.index('id="conversa-cabecalho"') :].split("</header>", 1)[0]
    assert "Sem responsável" in header and f'hx-post="/conversas/{conversation_id}/assumir"' in header
    assert "Atribuir" not in header and "Transferir" not in header

    taken = await ana.htmx("POST", f"/conversas/{conversation_id}/assumir")
    assert taken.status_code == 200, taken.text
    assert taken.text.lstrip().startswith('<header id="conversa-cabecalho"')
    assert "Pessoa 2 (você)" in taken.text and "Transferir" in taken.text and "/assumir" not in taken.text
    assert "Conversa assumida." in taken.headers["hx-trigger"]
    assert (await conversation_row(seeded, conversation_id)).assignee_id == ana.agent_id

    urgent = await ana.htmx("POST", f"/conversas/{conversation_id}/prioridade", data={"priority": "urgent"})
    assert '<option value="urgent" selected>' in urgent.text and "priority-urgent" in urgent.text
    assert (await conversation_row(seeded, conversation_id)).priority == "urgent"
    assert (
        await ana.htmx("POST", f"/conversas/{conversation_id}/prioridade", data={"priority": "x"})
    ).status_code == 422

    async with seeded.db("atendimento").session() as session:
        label_id = (await session.execute(select(Label.id).where(Label.name == "Financeiro"))).scalar_one()
    labelled = await ana.htmx("POST", f"/conversas/{conversation_id}/etiquetas", data={"label_id": label_id})
    assert 'aria-label="Remover etiqueta Financeiro"' in labelled.text
    async with seeded.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        assert [label.name for label in conversation.labels] == ["Financeiro"]
    unlabelled = await ana.htmx("POST", f"/conversas/{conversation_id}/etiquetas/{label_id}/remover")
    assert "Remover etiqueta Financeiro" not in unlabelled.text
    assert (
        await ana.htmx("POST", f"/conversas/{conversation_id}/etiquetas/{label_id}/remover")
    ).status_code == 404

    resolved = await ana.htmx("POST", f"/conversas/{conversation_id}/status", data={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    assert (await conversation_row(seeded, conversation_id)).status == "resolved"
    assert "Reabrir" in resolved.text and ">Resolvida<" in resolved.text
    assert 'id="conversa-mensagens"' in resolved.text and 'hx-swap-oob="true"' in resolved.text  # thread too
    # the thread tells what happened, among the messages
    assert "Pessoa 2 assumiu a conversa" in resolved.text and "Pessoa 2 resolveu a conversa" in resolved.text
    reopened = await ana.htmx("POST", f"/conversas/{conversation_id}/status", data={"status": "open"})
    assert "Resolver" in reopened.text and (await conversation_row(seeded, conversation_id)).status == "open"
    waiting = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/status", data={"status": "waiting_customer"}
    )
    assert ">Aguardando cliente<" in waiting.text
    released = await ana.htmx("POST", f"/conversas/{conversation_id}/liberar")
    assert "Sem responsável" in released.text
    assert (await conversation_row(seeded, conversation_id)).assignee_id is None


async def test_a_transfer_hands_over_with_a_note_and_leaves_the_attendant_at_the_inbox(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")  # round-robin: Ana's
    bruno = await make_person(Role.agent, SupportLevel.n2)
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    dialog = page[page.index('id="dialogo-transferir"') :].split("</dialog>", 1)[0]
    assert f'<option value="{bruno.agent_id}">Pessoa 2 · N2</option>' in dialog
    assert f'<option value="{ana.agent_id}">' not in dialog  # not to whom has it
    response = await ana.htmx(
        "POST",
        f"/conversas/{conversation_id}/transferir",
        data={"agent_id": bruno.agent_id, "note": "Cliente pediu orçamento de 24 h"},
    )
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/conversas"
    assert (await conversation_row(seeded, conversation_id)).assignee_id == bruno.agent_id
    async with seeded.db("atendimento").session() as session:
        entry = (
            await session.execute(
                select(HistoryEntry).where(HistoryEntry.action == "conversation.transferred")
            )
        ).scalar_one()
        assert entry.details == {"note": "Cliente pediu orçamento de 24 h"}
    # the new assignee reads who handed it over, and why
    handed = await thread(bruno, conversation_id)
    assert "Pessoa 1 transferiu a conversa para Pessoa 2" in handed
    assert '<q class="activity-detail">Cliente pediu orçamento de 24 h</q>' in handed
    assert "Conversa distribuída automaticamente para Pessoa 1" in handed  # the round-robin before
    # Ana no longer sees it: the page is a 403, the live thread says so in place
    assert (await ana.page(f"/conversas/{conversation_id}")).status_code == 403
    gone = await ana.htmx("GET", f"/conversas/{conversation_id}/mensagens")
    assert gone.status_code == 200 and "Você não tem mais acesso a esta conversa." in gone.text
    assert "hx-trigger" not in gone.text  # and stops refreshing
    assert (await ana.htmx("GET", f"/conversas/{conversation_id}/cabecalho")).status_code == 204


async def test_supervisor_assigns_and_an_attendant_cannot(seeded: Runtime, make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")  # Ana's
    bruno = await make_person(Role.agent)
    supervisor = await make_person(Role.supervisor)

    page = (await supervisor.page(f"/conversas/{conversation_id}")).text
    header = page[page.index('id="conversa-cabecalho"') :].split("</header>", 1)[0]
    assert 'data-open-dialog="dialogo-atribuir"' in header and "Transferir" in header and "/assumir" in header
    assert 'id="dialogo-atribuir"' in page
    assigned = await supervisor.htmx(
        "POST", f"/conversas/{conversation_id}/atribuir", data={"agent_id": str(bruno.agent_id)}
    )
    assert assigned.status_code == 200 and "Pessoa 2" in assigned.text
    assert (await conversation_row(seeded, conversation_id)).assignee_id == bruno.agent_id
    nobody = await supervisor.htmx("POST", f"/conversas/{conversation_id}/atribuir", data={"agent_id": ""})
    assert "Sem responsável" in nobody.text

    # the attendant sees no "Atribuir", and the service refuses it anyway
    await ana.htmx("POST", f"/conversas/{conversation_id}/assumir")
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    assert 'id="dialogo-atribuir"' not in page and "dialogo-atribuir" not in page
    refused = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/atribuir", data={"agent_id": str(bruno.agent_id)}
    )
    assert refused.status_code == 403 and "exige o papel supervisor" in toast(refused)
    assert (await conversation_row(seeded, conversation_id)).assignee_id == ana.agent_id


async def test_another_attendants_conversation_is_the_403_page(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1", "Segredo da família")  # Ana's
    bruno = await make_person(Role.agent)
    page = await bruno.page(f"/conversas/{conversation_id}")
    assert page.status_code == 403
    assert "Acesso negado" in page.text and "atribuída a outro atendente" in page.text
    # said once, under the heading, and no support code for a refusal (that is for our errors)
    assert page.text.count("Acesso negado") == 2  # <title> and <h1>
    assert "Esta conversa está atribuída a outro atendente." in page.text
    assert "Código para o suporte" not in page.text
    assert "Segredo da família" not in page.text and "<html" in page.text
    for url in ("/responder", "/assumir", "/status", "/etiquetas", "/anexo", "/modelo"):
        attempt = await bruno.htmx(
            "POST", f"/conversas/{conversation_id}{url}", data={"texto": "x", "status": "open"}
        )
        assert attempt.status_code in (403, 422), (url, attempt.status_code)
    assert len([m for m in await messages_of(ana, conversation_id)]) >= 1
