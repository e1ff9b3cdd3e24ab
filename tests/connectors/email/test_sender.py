"""E-mails rendered from the pt-BR templates with the branding, delivered through aiosmtpd (the
sandbox's SMTP sink), with attachments; SMTP failures classified."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from carinho.connectors.documentos import DocumentosClient
from carinho.connectors.documentos.schemas import ProposalInput
from carinho.connectors.email import TEMPLATES, Attachment, EmailSender
from carinho.connectors.errors import ConnectorPermanentError, ConnectorTransientError
from carinho.sandbox.smtp import CaughtMail
from tests.sandbox.harness import RunningSandbox

CONTEXTS = {
    "welcome": {"client_name": "Maria Aparecida"},
    "feedback_request": {
        "client_name": "Maria Aparecida",
        "feedback_url": "https://carinho.com.vc/avaliar/abc",
        "caregiver_name": "Juliana",
        "service_date": "27/11/2026",
    },
    "proposal": {
        "client_name": "Maria Aparecida",
        "proposal_number": "PROP-2026-0001",
        "monthly_amount": "R$ 4.800,00",
    },
    "contract": {
        "client_name": "Maria Aparecida",
        "contract_number": "CONT-2026-0001",
        "signature_url": "https://assinatura.carinho.com.vc/c/0001",
    },
    "document": {
        "subject": "Proposta de cuidador domiciliar",
        "body": "Segue a proposta que conversamos.\n\nQualquer dúvida, estamos por aqui.",
        "client_name": "Maria Aparecida",
        "agent_name": "Joana",
        "document_url": "https://documentos.carinho.com.vc/propostas/123.pdf",
        "document_label": "Abrir a proposta",
    },
    "alert": {
        "title": "SLA de primeira resposta violado na conversa 42",
        "kind_label": "SLA violado",
        "severity_label": "Urgente",
        "recipient_name": "Maria Aparecida",
        "created_at": "01/12/2026 às 10:15",
        "conversation_id": 42,
        "details": [("Prazo", "Primeira resposta"), ("Nível", "N1")],
        "app_url": "https://atendimento.carinho.com.vc",
    },
    "hub_alert": {
        "title": "A fila integrations-high está parada há 12 min",
        "kind_label": "Fila parada",
        "state": "opened",
        "subject": "integrations-high",
        "opened_at": "01/12/2026 às 10:15",
        "console_url": "https://integracoes.carinho.com.vc/alertas",
    },
}
SUBJECTS = {
    "welcome": "Bem-vindo(a) à Carinho com Você, Maria Aparecida!",
    "feedback_request": "Como foi o atendimento com Juliana? Conte para a gente",
    "proposal": "Sua proposta PROP-2026-0001 — Carinho com Você",
    "contract": "Seu contrato CONT-2026-0001 — Carinho com Você",
    "alert": "Alerta: SLA violado na conversa 42",
    "document": "Proposta de cuidador domiciliar",
    "hub_alert": "[Carinho Integrações] Alerta: Fila parada — integrations-high",
}


async def delivered(sandbox: RunningSandbox, count: int = 1) -> list[CaughtMail]:
    sink = sandbox.state.extras["smtp"]
    async with asyncio.timeout(10):
        while len(sink.messages) < count:
            await asyncio.sleep(0.01)
    return list(sink.messages)


@pytest.mark.parametrize("template", TEMPLATES)
async def test_each_template_is_delivered_multipart_with_branding(
    sandbox: RunningSandbox, template: str
) -> None:
    sender = EmailSender(sandbox.settings)
    sent = await sender.send("maria@exemplo.com.br", template, CONTEXTS[template])

    [mail] = await delivered(sandbox)
    assert mail.rcpt_tos == ["maria@exemplo.com.br"]
    assert mail.subject == SUBJECTS[template] == sent.subject
    assert mail.headers["Message-ID"] == sent.message_id
    assert "Carinho com Você" in mail.from_header and "contato@carinho.com.vc" in mail.from_header
    assert mail.text and mail.html
    # the person it is about (the hub's alert goes to operations: the lane it is about)
    about = "integrations-high" if template == "hub_alert" else "Maria Aparecida"
    assert about in mail.text and about in mail.html
    assert "#C2185B" in mail.html and "https://carinho.com.vc/images/logo.png" in mail.html
    assert "Equipe Carinho com Você" in mail.text and "(11) 94002-8922" in mail.text
    assert "<script" not in mail.html


async def test_branding_is_configurable(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(
        branding_company_name="Carinho Campinas",
        branding_primary_color="#00796B",
        branding_logo_url="https://campinas.carinho.com.vc/logo.png",
        branding_signature="Equipe Carinho Campinas",
        branding_whatsapp="5519988887777",
    )
    await EmailSender(settings).send("ana@exemplo.com.br", "welcome", {"client_name": "Ana"})
    [mail] = await delivered(sandbox)
    assert mail.subject == "Bem-vindo(a) à Carinho Campinas, Ana!"
    assert "#00796B" in (mail.html or "") and "https://campinas.carinho.com.vc/logo.png" in (mail.html or "")
    assert "Equipe Carinho Campinas" in (mail.text or "") and "(19) 98888-7777" in (mail.text or "")


async def test_html_escapes_the_context(sandbox: RunningSandbox) -> None:
    await EmailSender(sandbox.settings).send("x@exemplo.com.br", "welcome", {"client_name": "<b>Zé</b>"})
    [mail] = await delivered(sandbox)
    assert "&lt;b&gt;Zé&lt;/b&gt;" in (mail.html or "")
    assert "<b>Zé</b>" in (mail.text or "")


async def test_an_attendants_text_is_escaped_and_keeps_its_line_breaks(sandbox: RunningSandbox) -> None:
    body = "Olá!\nSegue a <b>proposta</b>.\n\nAbraços"
    await EmailSender(sandbox.settings).send(
        "x@exemplo.com.br", "document", {"subject": "Proposta", "body": body}
    )
    [mail] = await delivered(sandbox)
    html = mail.html or ""
    assert "<p>Olá!<br>Segue a &lt;b&gt;proposta&lt;/b&gt;.</p>" in html and "<p>Abraços</p>" in html
    assert body.replace("\n", "\r\n") in (mail.text or "")  # SMTP line endings


async def test_proposal_pdf_from_documentos_goes_as_attachment(sandbox: RunningSandbox) -> None:
    async with DocumentosClient(sandbox.settings) as documentos:
        proposal = await documentos.create_proposal(
            ProposalInput(
                client_name="Maria Aparecida", service_type="cuidador_diurno", monthly_amount_cents=480000
            )
        )
        pdf = await documentos.proposal_pdf(proposal.id)
    await EmailSender(sandbox.settings).send(
        "maria@exemplo.com.br",
        "proposal",
        {"client_name": "Maria Aparecida", "proposal_number": proposal.number},
        attachments=[Attachment(f"{proposal.number}.pdf", pdf)],
    )
    [mail] = await delivered(sandbox)
    [attachment] = mail.attachments
    assert attachment.filename == f"{proposal.number}.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.content == pdf


def test_unknown_template_or_missing_context_is_refused(sandbox: RunningSandbox) -> None:
    sender = EmailSender(sandbox.settings)
    with pytest.raises(ValueError, match="unknown"):
        sender.render("newsletter", {})
    with pytest.raises(ValueError, match="feedback_url"):
        sender.render("feedback_request", {"client_name": "Ana"})


async def test_unreachable_smtp_is_transient(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(mail_port=9, mail_timeout_seconds=2)
    with pytest.raises(ConnectorTransientError):
        await EmailSender(settings).send("a@exemplo.com.br", "welcome", {"client_name": "Ana"})


class Refusing:
    def __init__(self, code: str) -> None:
        self.code = code

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        return self.code


@pytest.fixture
async def refusing_smtp() -> AsyncIterator[dict[str, asyncio.Server]]:
    servers: dict[str, asyncio.Server] = {}
    loop = asyncio.get_running_loop()
    for code in ("550 5.1.1 Mailbox unavailable", "451 4.3.0 Try again later"):
        servers[code[:3]] = await loop.create_server(lambda c=code: SMTP(Refusing(c)), "127.0.0.1", 0)
    yield servers
    for server in servers.values():
        server.close()
        await server.wait_closed()


async def test_refused_recipient_permanent_or_transient_by_code(
    sandbox: RunningSandbox, refusing_smtp: dict[str, asyncio.Server]
) -> None:
    for code, expected in (("550", ConnectorPermanentError), ("451", ConnectorTransientError)):
        port = refusing_smtp[code].sockets[0].getsockname()[1]
        sender = EmailSender(sandbox.client_settings(mail_port=port))
        with pytest.raises(expected) as caught:
            await sender.send("nao-existe@exemplo.com.br", "welcome", {"client_name": "Ana"})
        assert caught.value.upstream_status == int(code)
