"""The conversation's composer without a browser: a reply and its ticks, a failed send and its
retry, notes, templates previewed and sent, attachments, a closed conversation."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.models import (
    ConversationStatus,
)
from carinho.atendimento.inbox.send_order import SEND_JOB
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.templates.models import MessageTemplate
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Simulators,
    fixture,
    freeze_at,
    post_webhook,
)
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.conversation_support import (
    PHONE,
    incoming,
    message_html,
    messages,
    thread,
    toast,
)
from tests.support.jobs import drain, outbox_rows

# ---------------------------------------------------------------------- composer


async def test_a_reply_appears_at_once_as_sending_and_its_ticks_follow_delivery(
    seeded: Runtime, make_person: MakePerson, simulators: Simulators
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    await drain(simulators.rt, ("atendimento",))
    response = await ana.htmx(
        "POST",
        f"/conversas/{conversation_id}/responder",
        data={"texto": "Olá, Maria!\nTudo bem?", "modo": "resposta"},
    )
    assert response.status_code == 200, response.text
    assert response.text.lstrip().startswith('<div id="conversa-mensagens"')  # the thread, not the composer
    assert 'id="compositor"' not in response.text
    reply = (await messages(seeded, conversation_id))[-1]
    assert reply.content == "Olá, Maria!\nTudo bem?" and reply.delivery_status == "queued"
    assert reply.sender_type == "agent" and reply.agent_id == ana.agent_id
    shown = message_html(response.text, reply.id)
    assert "tick-pending" in shown and "Enviando" in shown and "Pessoa 1" in shown

    await drain(simulators.rt, ("atendimento",))
    assert "Olá, Maria!\nTudo bem?" in await simulators.whatsapp_texts(PHONE)
    sent = message_html(await thread(ana, conversation_id), reply.id)
    assert (
        'class="tick tick-sent" title="Enviada"' in sent
        and '<span class="visually-hidden">Enviada</span>' in sent
    )

    zapi_id = (await messages(seeded, conversation_id))[-1].zapi_message_id
    for status, css, label in (("RECEIVED", "received", "Entregue"), ("READ", "read", "Lida")):
        callback = fixture("message_status")
        callback.update(
            ids=[zapi_id], status=status, phone=PHONE, momment=int(clock.utcnow().timestamp() * 1000)
        )
        assert (await post_webhook(ana.client, callback)).status_code == 200
        shown = message_html(await thread(ana, conversation_id), reply.id)
        assert f'class="tick tick-{css}" title="{label}"' in shown and "✓✓" in shown


async def test_a_failed_send_shows_the_reason_and_resend_really_requeues(
    seeded: Runtime, make_person: MakePerson, simulators: Simulators
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    await drain(simulators.rt, ("atendimento",))
    await simulators.http.put(
        "/_sandbox/zapi/faults",
        json={"fail_next": 1, "fail_status": 400, "fail_body": {"error": "Invalid phone"}},
    )
    await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "Chegou?", "modo": "resposta"}
    )
    await drain(simulators.rt, ("atendimento",))
    failed = (await messages(seeded, conversation_id))[-1]
    assert failed.delivery_status == "failed"

    shown = message_html(await thread(ana, conversation_id), failed.id)
    assert "msg-failed" in shown and "tick-failed" in shown and "Falha no envio" in shown
    assert "Não enviada." in shown and html.escape(failed.failure_reason or "", quote=True) in shown
    assert "Invalid phone" in shown  # what WhatsApp said, beside the attendant's explanation:
    assert "Este número não tem WhatsApp." in shown
    assert f'hx-post="/conversas/{conversation_id}/mensagens/{failed.id}/reenviar"' in shown

    jobs_before = len(await outbox_rows(simulators.rt, "atendimento"))
    response = await ana.htmx("POST", f"/conversas/{conversation_id}/mensagens/{failed.id}/reenviar")
    assert response.status_code == 200, response.text
    assert "Enviando" in message_html(response.text, failed.id)
    row = next(m for m in await messages(seeded, conversation_id) if m.id == failed.id)
    assert row.delivery_status == "queued" and row.failure_reason is None
    assert row.extra["manual_retries"] == 1
    jobs = await outbox_rows(simulators.rt, "atendimento")
    assert len(jobs) == jobs_before + 1 and jobs[-1].job == SEND_JOB  # type: ignore[attr-defined]
    await drain(simulators.rt, ("atendimento",))
    assert (await simulators.whatsapp_texts(PHONE)).count("Chegou?") == 1
    # a message that did not fail cannot be re-sent
    again = await ana.htmx("POST", f"/conversas/{conversation_id}/mensagens/{failed.id}/reenviar")
    assert again.status_code == 409 and "Só mensagens com falha" in toast(again)


async def test_a_note_stays_inside_and_looks_different_from_a_reply(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    jobs_before = len(await outbox_rows(seeded, "atendimento"))
    note = await ana.htmx(
        "POST",
        f"/conversas/{conversation_id}/responder",
        data={"texto": "Prefere <b>noite</b>", "modo": "nota"},
    )
    assert note.status_code == 200, note.text
    row = (await messages(seeded, conversation_id))[-1]
    assert row.private is True and row.kind == "note"
    assert len(await outbox_rows(seeded, "atendimento")) == jobs_before  # nothing to send
    shown = message_html(note.text, row.id)
    assert "msg-note" in shown and "bubble-note" in shown and "Nota interna — só a equipe vê" in shown
    assert "Prefere &lt;b&gt;noite&lt;/b&gt;" in shown and "tick" not in shown

    reply = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "Oi!", "modo": "resposta"}
    )
    reply_row = (await messages(seeded, conversation_id))[-1]
    assert reply_row.private is False and reply_row.delivery_status == "queued"
    assert "msg-out" in message_html(reply.text, reply_row.id)

    empty = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "  ", "modo": "resposta"}
    )
    assert empty.status_code == 400 and toast(empty) == "A mensagem não pode ficar vazia."
    bad = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "x", "modo": "outro"}
    )
    assert bad.status_code == 400


async def test_templates_are_previewed_filled_for_the_conversation_and_sent_as_such(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    expected = (
        f"Obrigado pelo contato, Maria! Seu atendimento (protocolo ATD-{conversation_id:06d}) foi encerrado. "
        "Se precisar, é só mandar uma nova mensagem."
    )
    dialog = page[page.index('id="dialogo-modelos"') :]
    assert '<span class="template-preview">' + expected + "</span>" in dialog  # the preview, filled
    assert "{{" not in dialog.split("</dialog>", 1)[0]
    quick = page[page.index('id="modelos-rapidos"') :].split("</ul>", 1)[0]
    assert f'data-text="{expected}"' in quick and 'role="option"' in quick  # the "/" list inserts the same
    assert "fora do horário" in quick and "fora do horario" in quick  # "/horario" finds it too
    async with seeded.db("atendimento").session() as session:
        template_id = (
            await session.execute(select(MessageTemplate.id).where(MessageTemplate.name == "Encerramento"))
        ).scalar_one()
    response = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/modelo", data={"template_id": template_id}
    )
    assert response.status_code == 200, response.text
    sent = (await messages(seeded, conversation_id))[-1]
    assert sent.template_id == template_id and sent.content == expected
    shown = message_html(response.text, sent.id)
    assert "Modelo: Encerramento" in shown and "Mensagem automática" not in shown and "Enviando" in shown


async def test_inactive_templates_are_not_offered(seeded: Runtime, make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    async with seeded.db("atendimento").session() as session:
        template = (
            await session.execute(select(MessageTemplate).where(MessageTemplate.name == "Encerramento"))
        ).scalar_one()
        template.active = False
        await session.commit()
        template_id = template.id
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    assert f'id="modelo-rapido-{template_id}"' not in page and "Encerramento</span>" not in page
    refused = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/modelo", data={"template_id": template_id}
    )
    assert refused.status_code == 409 and "desativado" in toast(refused)


async def test_an_attachment_is_sent_by_its_address(seeded: Runtime, make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    response = await ana.htmx(
        "POST",
        f"/conversas/{conversation_id}/anexo",
        data={
            "url": "https://arquivos.carinho.test/proposta.pdf",
            "tipo": "documento",
            "legenda": "Sua proposta",
            "nome_arquivo": "Proposta Carinho.pdf",
        },
    )
    assert response.status_code == 200, response.text
    sent = (await messages(seeded, conversation_id))[-1]
    assert sent.kind == "document" and sent.media_url == "https://arquivos.carinho.test/proposta.pdf"
    assert sent.media_file_name == "Proposta Carinho.pdf" and sent.media_mime_type == "application/pdf"
    assert sent.content == "Sua proposta" and sent.delivery_status == "queued"
    shown = message_html(response.text, sent.id)
    assert "Proposta Carinho.pdf" in shown and "Sua proposta" in shown and "Enviando" in shown
    refused = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/anexo", data={"url": "ftp://x/y.pdf", "tipo": "documento"}
    )
    assert refused.status_code == 400 and toast(refused) == "O anexo deve ser um link http(s)."
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    assert 'id="dialogo-anexo"' in page and 'name="url"' in page and 'name="tipo"' in page


async def test_a_closed_conversation_disables_replies_and_says_why(
    seeded: Runtime, make_person: MakePerson, simulators: Simulators
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    await simulators.http.put("/_sandbox/zapi/faults", json={"down": True})
    await drain(simulators.rt, ("atendimento",))
    async with seeded.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        await inbox_service.change_status(session, conversation, ConversationStatus.closed, Actor.system())
        await session.commit()
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    composer = page[page.index('id="compositor"') :].split("</form>", 1)[0]
    assert "Respostas desativadas:" in composer and "esta conversa está fechada" in composer
    assert re.search(r'value="resposta" disabled', composer)
    assert re.search(r'value="nota" checked', composer)
    assert re.search(r'data-open-dialog="dialogo-anexo" disabled', composer)
    header = page[page.index('id="conversa-cabecalho"') :].split("</header>", 1)[0]
    assert "Resolver" not in header and "Reabrir" not in header and ">Fechada<" in header
    assert "/assumir" not in header and "dialogo-transferir" not in header  # nothing to hand over
    assert "Prioridade normal" in header and 'name="priority"' not in header  # shown, not changeable
    # a failed message cannot be re-sent from a closed conversation
    assert "/reenviar" not in page
    refused = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "Oi", "modo": "resposta"}
    )
    assert refused.status_code == 403 and "Conversa fechada" in toast(refused)
    note = await ana.htmx(
        "POST", f"/conversas/{conversation_id}/responder", data={"texto": "Anotado", "modo": "nota"}
    )
    assert note.status_code == 200 and "Anotado" in note.text
