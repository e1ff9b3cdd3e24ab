"""The conversation view without a browser: the page and its htmx fragments for every state (empty,
long history, every message kind, automatic and template messages), the previous conversations and
the activity lines. The composer and the header's actions have their own files."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import (
    Contact,
    Conversation,
    Message,
)
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Simulators,
    freeze_at,
    post_webhook,
    received,
)
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.conversation_support import (
    PHONE,
    incoming,
    message_html,
    messages,
    payload,
    thread,
)
from tests.support.jobs import drain

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
