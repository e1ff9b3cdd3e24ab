"""The conversation view without a browser: the page and its htmx fragments for every state (empty,
long history, every message kind, ticks, a failed send and its retry, notes, templates, attachments,
a closed conversation), the header's actions, supervisor vs attendant, and the 403."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Message,
)
from carinho.atendimento.inbox.outbound import SEND_JOB
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.labels.models import Label
from carinho.atendimento.templates.models import MessageTemplate
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Simulators,
    fixture,
    freeze_at,
    post_webhook,
    received,
)
from tests.atendimento.web.conftest import MakePerson, Person
from tests.support.jobs import drain, outbox_rows

PHONE = "5511987654321"


def payload(message_id: str, kind: str, content: dict[str, Any], phone: str = PHONE) -> dict[str, Any]:
    """A Z-API ReceivedCallback carrying `kind` (image, audio…) instead of text."""
    body = received(message_id, phone=phone)
    body.pop("text")
    body[kind] = content
    return body


async def incoming(person: Person, message_id: str, text: str = "Olá", phone: str = PHONE) -> int:
    response = await post_webhook(person.client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def thread(person: Person, conversation_id: int) -> str:
    response = await person.htmx("GET", f"/conversas/{conversation_id}/mensagens")
    assert response.status_code == 200, response.text
    return response.text


def message_html(page: str, message_id: int) -> str:
    """The <li> of one message."""
    start = page.rindex("<li", 0, page.index(f'id="mensagem-{message_id}"'))
    end = page.find('<li class="msg', start + 3)
    return page[start : end if end != -1 else len(page)]


async def messages(rt: Runtime, conversation_id: int) -> list[Message]:
    async with rt.db("atendimento").session() as session:
        rows = await session.execute(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        return list(rows.scalars())


async def conversation_row(rt: Runtime, conversation_id: int) -> Conversation:
    async with rt.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        return conversation


def toast(response: Any) -> str:
    from urllib.parse import unquote

    return unquote(response.headers.get("x-carinho-mensagem", ""))


# ---------------------------------------------------------------------- the page and its states


async def test_the_page_shows_the_conversation_in_the_workspace(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1", "Olá, preciso de uma cuidadora")
    page = await ana.page(f"/conversas/{conversation_id}")
    assert page.status_code == 200, page.text
    text = page.text
    # the three panes: the list, this view, the side panel
    assert 'class="pane pane-list"' in text and 'class="pane pane-side"' in text
    assert f'href="/conversas/{conversation_id}' in text  # the list, with this conversation
    assert "<title>Maria Souza · Carinho Atendimento</title>" in text
    assert "(11) 98765-4321" in text and f"Conversa #{conversation_id}" in text
    assert "Olá, preciso de uma cuidadora" in text and ">Hoje<" in text
    # the live refresh of the thread and the header; the composer is outside both
    assert f'hx-trigger="carinho-live-{conversation_id} from:body' in text
    assert f'data-live-conversation="{conversation_id}"' in text
    thread_start = text.index('id="conversa-mensagens"')
    assert text.index('id="compositor"') > text.index("</ol></div>", thread_start)
    # the composer: Enter/Shift+Enter and "/" (carinho.js), "r" focuses it
    composer = text[text.index('id="compositor"') :]
    assert "data-composer" in composer and 'data-shortcut="r"' in composer
    assert 'data-quick-list="modelos-rapidos"' in composer and 'role="listbox"' in composer
    # phone: back to the list, and the side panel toggle
    assert 'href="/conversas"' in text and 'data-toggle-class="side-open"' in text


async def test_an_empty_conversation_says_so(seeded: Runtime, make_person: MakePerson) -> None:
    # No webhook makes a conversation without a message: made directly, as after a data erasure.
    supervisor = await make_person(Role.supervisor)
    async with seeded.db("atendimento").session() as session:
        contact = Contact(phone="5511900001111", name=None)
        session.add(contact)
        await session.flush()
        conversation = Conversation(contact_id=contact.id, active_contact_id=contact.id)
        session.add(conversation)
        await session.commit()
        conversation_id = conversation.id
    page = await supervisor.page(f"/conversas/{conversation_id}")
    assert page.status_code == 200, page.text
    assert "Nenhuma mensagem ainda" in page.text
    assert "(11) 90000-1111" in page.text  # no name: the phone is the title
    assert "Conversas anteriores" not in page.text


async def test_a_long_history_renders_every_message_in_order(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1", "primeira")
    async with seeded.db("atendimento").session() as session:
        base = clock.utcnow()
        for n in range(400):
            session.add(
                Message(
                    conversation_id=conversation_id,
                    direction="inbound" if n % 2 else "outbound",
                    kind="text",
                    sender_type="contact" if n % 2 else "agent",
                    agent_id=None if n % 2 else ana.agent_id,
                    content=f"mensagem número {n}",
                    extra={},
                    delivery_status="received" if n % 2 else "read",
                    created_at=base + timedelta(minutes=n),
                )
            )
        await session.commit()
    # at first the newest 200 (a live update re-renders the thread: not the whole history each time)
    text = await thread(ana, conversation_id)
    assert text.count('<li class="msg ') == 200
    assert "mensagem número 399<" in text and "mensagem número 199<" not in text
    assert "Mostrar as 202 mensagens anteriores" in text
    assert f'hx-get="/conversas/{conversation_id}/mensagens?completo=1"' in text
    # the whole history, in order; its own live refresh keeps it whole
    whole = await ana.htmx("GET", f"/conversas/{conversation_id}/mensagens?completo=1")
    assert whole.status_code == 200
    text = whole.text
    assert text.count('<li class="msg ') == 402  # the first, the automatic welcome, 400 more
    positions = [text.index(f"mensagem número {n}<") for n in (0, 1, 199, 399)]
    assert positions == sorted(positions)
    assert "mensagens anteriores" not in text
    assert f'hx-get="/conversas/{conversation_id}/mensagens?completo=1" hx-trigger' in text
    # 400 minutes from 10:00 crosses no midnight; the day heading comes once
    assert text.count('class="day-heading"') == 1
    # the page opens at the newest ones too
    page = (await ana.page(f"/conversas/{conversation_id}")).text
    assert page.count('<li class="msg ') == 200 and "mensagem número 399<" in page


async def test_day_headings(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 1 December 2026
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1", "na terça")
    freeze_at(OPEN_INSTANT + timedelta(days=1))
    await incoming(ana, "IN-2", "na quarta")
    freeze_at(OPEN_INSTANT + timedelta(days=2))
    await incoming(ana, "IN-3", "na quinta")
    await ana.login()  # sessions last 12 hours
    text = await thread(ana, conversation_id)
    headings = re.findall(r'<h3 class="day-heading"><span>([^<]+)</span>', text)
    assert headings == ["terça-feira, 1 de dezembro", "Ontem", "Hoje"]
    assert text.index("na terça") < text.index("Ontem") < text.index("na quarta") < text.index("Hoje")


async def test_every_message_kind_is_shown_and_customer_text_is_escaped(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(
        ana, "IN-TEXT", 'Oi <script>alert("x")</script>\nsegunda linha: https://exemplo.com.br/a?b=1&c=2'
    )
    callbacks = [
        payload(
            "IN-IMG",
            "image",
            {"imageUrl": "https://m.example/foto.jpg", "mimeType": "image/jpeg", "caption": "Receita"},
        ),
        payload(
            "IN-AUD",
            "audio",
            {"audioUrl": "https://m.example/voz.ogg", "mimeType": "audio/ogg", "seconds": 42, "ptt": True},
        ),
        payload(
            "IN-VID", "video", {"videoUrl": "https://m.example/v.mp4", "mimeType": "video/mp4", "seconds": 13}
        ),
        payload(
            "IN-DOC",
            "document",
            {
                "documentUrl": "https://m.example/laudo.pdf",
                "mimeType": "application/pdf",
                "fileName": "laudo.pdf",
            },
        ),
        payload(
            "IN-LOC", "location", {"latitude": -23.58, "longitude": -46.64, "address": "Rua das Acácias, 120"}
        ),
        payload(
            "IN-CON", "contact", {"displayName": "Cesar Baleco", "vCard": "", "phones": ["5544999999999"]}
        ),
        payload("IN-STK", "sticker", {"stickerUrl": "https://m.example/s.webp", "mimeType": "image/webp"}),
        payload("IN-BTN", "buttonsResponseMessage", {"buttonId": "1", "message": "Quero saber o preço"}),
        payload(
            "IN-LST",
            "listResponseMessage",
            {"message": "x", "title": "Período noturno", "selectedRowId": "2"},
        ),
        payload(
            "IN-REA",
            "reaction",
            {
                "value": "❤️",
                "time": 1,
                "referencedMessage": {"messageId": "IN-IMG", "fromMe": False, "phone": PHONE},
            },
        ),
        payload("IN-UNK", "somethingNew", {"x": 1}),
    ]
    for body in callbacks:
        response = await post_webhook(ana.client, body)
        assert response.status_code == 200, response.text
    rows = {m.zapi_message_id: m for m in await messages(seeded, conversation_id)}
    text = await thread(ana, conversation_id)

    first = message_html(text, rows["IN-TEXT"].id)
    assert (
        "<script>" not in text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;\nsegunda linha" in first
    )
    assert (
        '<a href="https://exemplo.com.br/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">'
        in first
    )
    image = message_html(text, rows["IN-IMG"].id)
    assert '<img src="https://m.example/foto.jpg" loading="lazy"' in image and 'alt="Receita"' in image
    audio = message_html(text, rows["IN-AUD"].id)
    assert '<audio class="msg-audio" controls preload="metadata" src="https://m.example/voz.ogg"' in audio
    assert "0:42" in audio
    video = message_html(text, rows["IN-VID"].id)
    assert '<video class="msg-video" controls' in video and "0:13" in video
    document = message_html(text, rows["IN-DOC"].id)
    assert 'href="https://m.example/laudo.pdf"' in document and "laudo.pdf" in document and "PDF" in document
    location = message_html(text, rows["IN-LOC"].id)
    assert (
        "Rua das Acácias, 120" in location
        and 'href="https://www.google.com/maps?q=-23.58,-46.64"' in location
    )
    contact = message_html(text, rows["IN-CON"].id)
    assert "Contato compartilhado" in contact and "Cesar Baleco" in contact and "(44) 99999-9999" in contact
    assert 'class="msg-sticker" src="https://m.example/s.webp"' in message_html(text, rows["IN-STK"].id)
    button = message_html(text, rows["IN-BTN"].id)
    assert "Resposta de botão" in button and "Quero saber o preço" in button
    choice = message_html(text, rows["IN-LST"].id)
    assert "Escolha na lista" in choice and "Período noturno" in choice
    reaction = message_html(text, rows["IN-REA"].id)
    assert "Reagiu com" in reaction and "❤️" in reaction and "<q>Receita</q>" in reaction
    assert "ainda não mostra" in message_html(text, rows[next(k for k in rows if k == "IN-UNK")].id)


async def test_media_with_a_non_web_address_is_not_linked(seeded: Runtime, make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    await post_webhook(
        ana.client, payload("IN-IMG", "image", {"imageUrl": "javascript:alert(1)", "caption": ""})
    )
    text = await thread(ana, conversation_id)
    assert "javascript:" not in text and "Imagem indisponível" in text


async def test_automatic_template_and_system_messages_are_marked(
    seeded: Runtime, make_person: MakePerson, simulators: Simulators
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    await drain(simulators.rt, ("atendimento",))  # the welcome goes out
    # a message typed on the company's own phone comes back as fromMe
    echo = received("OUT-PHONE", text="Mandei do celular", fromMe=True)
    assert (await post_webhook(ana.client, echo)).json()["status"] == "created"
    text = await thread(ana, conversation_id)
    welcome, from_phone = (m for m in await messages(seeded, conversation_id) if m.direction == "outbound")
    automatic = message_html(text, welcome.id)
    assert "msg-auto" in automatic and "Automação" in automatic
    assert "Mensagem automática" in automatic and "Modelo: Boas-vindas" in automatic
    phone = message_html(text, from_phone.id)
    assert "Enviada pelo celular da empresa" in phone and "Mandei do celular" in phone


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


async def messages_of(person: Person, conversation_id: int) -> list[str]:
    return re.findall(r'id="mensagem-(\d+)"', await thread(person, conversation_id))


async def test_previous_conversations_of_the_contact_are_listed(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    first = await incoming(ana, "IN-1", "Primeira vez")
    await ana.htmx("POST", f"/conversas/{first}/status", data={"status": "resolved"})
    freeze_at(OPEN_INSTANT + timedelta(hours=2))
    second = await incoming(ana, "IN-2", "Voltei")
    assert second != first
    page = (await ana.page(f"/conversas/{second}")).text
    previous = page[page.index('class="previous-conversations"') :].split("</details>", 1)[0]
    assert f'<a href="/conversas/{first}">Conversa #{first}</a>' in previous
    assert "01/12/2026" in previous and ">Resolvida<" in previous
    assert f"Conversa #{second}<" not in previous
    # outside the part the live updates replace (an open list stays open)
    assert page.index('class="previous-conversations"') < page.index('id="conversa-mensagens"')


async def test_fragments_answer_only_their_part(make_person: MakePerson) -> None:
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent)
    conversation_id = await incoming(ana, "IN-1")
    header = await ana.htmx("GET", f"/conversas/{conversation_id}/cabecalho")
    assert header.status_code == 200 and header.text.lstrip().startswith('<header id="conversa-cabecalho"')
    assert "<html" not in header.text and 'id="conversa-mensagens"' not in header.text
    assert "detail.kinds.includes('conversation')" in header.text
    body = await thread(ana, conversation_id)
    assert body.lstrip().startswith('<div id="conversa-mensagens"') and "<html" not in body
    assert 'id="compositor"' not in body and "hx-swap-oob" not in body
    missing = await ana.page("/conversas/999999")
    assert missing.status_code == 404 and "Conversa 999999 não encontrada." in missing.text


@pytest.mark.parametrize("path", ["/mensagens", "/cabecalho"])
async def test_fragments_need_a_session(make_person: MakePerson, path: str) -> None:
    person = await make_person(login=False)
    response = await person.htmx("GET", f"/conversas/1{path}")
    assert response.headers.get("hx-redirect", "").startswith("/entrar?")


def entry(action: str, actor_type: str = "agent", actor_id: int | None = 7, **fields: Any) -> HistoryEntry:
    return HistoryEntry(
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        actor_name="Ana",
        created_at=OPEN_INSTANT,
        **fields,
    )


def test_activity_lines_say_what_changed_in_portuguese() -> None:
    from carinho.atendimento.web.conversation_activity import activity

    cases = [
        (
            entry("conversation.assigned", after={"assignee_id": 7, "assignee_name": "Ana"}),
            "Ana assumiu a conversa",
            None,
        ),
        (entry("conversation.assigned", after={"assignee_id": None}), "Ana devolveu a conversa à fila", None),
        (
            entry("conversation.assigned", after={"assignee_id": 9, "assignee_name": "Bruno"}),
            "Ana atribuiu a conversa a Bruno",
            None,
        ),
        (
            entry(
                "conversation.reassigned",
                "automation",
                None,
                after={"assignee_id": 9, "assignee_name": "Bruno"},
                details={"reason": "Sem resposta há 30 minutos úteis"},
            ),
            "Conversa redistribuída para Bruno",
            "Sem resposta há 30 minutos úteis",
        ),
        (
            entry(
                "conversation.escalated",
                before={"level": "N1"},
                after={"level": "N2"},
                details={"reason": "Cliente pediu um orçamento especial"},
            ),
            "Ana escalou a conversa de N1 para N2",
            "Cliente pediu um orçamento especial",
        ),
        (
            entry(
                "conversation.deescalated",
                "automation",
                None,
                before={"level": "N2"},
                after={"level": "N1"},
                details={"reason": None},
            ),
            "A automação devolveu a conversa de N2 para N1",
            None,
        ),
        (
            entry("conversation.status_changed", after={"status": "waiting_customer"}),
            "Ana marcou a conversa como aguardando o cliente",
            None,
        ),
        (
            entry("conversation.status_changed", "system", None, after={"status": "closed"}),
            "O sistema fechou a conversa",
            None,
        ),
        (
            entry("conversation.reopened", "contact", None),
            "Conversa reaberta por uma nova mensagem do cliente",
            None,
        ),
    ]
    for history, text, detail in cases:
        line = activity(history)
        assert (line.text, line.detail) == (text, detail), history.action
