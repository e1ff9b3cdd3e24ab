"""The SMTP sink: an aiosmtpd server in the sandbox's event loop that keeps every mail it gets, with
an API (`/_sandbox/smtp/messages`) and a page per mail."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from carinho.errors import NotFound
from carinho.kit import clock
from carinho.logging import get_logger

log = get_logger(__name__)
MAX_KEPT = 500


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class CaughtMail:
    id: int
    mail_from: str
    rcpt_tos: list[str]
    subject: str
    from_header: str
    to: list[str]
    text: str | None
    html: str | None
    attachments: list[Attachment]
    headers: dict[str, str]
    received_at: datetime

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.from_header,
            "to": self.to,
            "subject": self.subject,
            "attachments": [a.filename for a in self.attachments],
            "received_at": self.received_at.isoformat(),
        }

    def view(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "envelope_from": self.mail_from,
            "envelope_to": self.rcpt_tos,
            "text": self.text,
            "html": self.html,
            "headers": self.headers,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                for a in self.attachments
            ],
        }


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[CaughtMail] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="sandbox.carinho.local", enable_SMTPUTF8=True), self.host, self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("sandbox.smtp_started", port=self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        mail = _parse(next(self._ids), str(envelope.mail_from), list(envelope.rcpt_tos), data)
        self.messages.append(mail)
        del self.messages[:-MAX_KEPT]
        return "250 Message accepted for delivery"

    def get(self, mail_id: int) -> CaughtMail:
        for mail in self.messages:
            if mail.id == mail_id:
                return mail
        raise NotFound(f"e-mail {mail_id} não encontrado")


def _parse(mail_id: int, mail_from: str, rcpt_tos: list[str], raw: bytes) -> CaughtMail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    attachments = [
        Attachment(
            filename=part.get_filename() or "anexo",
            content_type=part.get_content_type(),
            content=_payload_bytes(part),
        )
        for part in message.iter_attachments()
    ]
    return CaughtMail(
        id=mail_id,
        mail_from=mail_from,
        rcpt_tos=rcpt_tos,
        subject=str(message.get("subject", "")),
        from_header=str(message.get("from", "")),
        to=[a.strip() for a in str(message.get("to", "")).split(",") if a.strip()],
        text=text.get_content() if text is not None else None,
        html=html.get_content() if html is not None else None,
        attachments=attachments,
        headers={k: str(v) for k, v in message.items()},
        received_at=clock.utcnow(),
    )


def _payload_bytes(part: Any) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


router = APIRouter(prefix="/_sandbox/smtp", tags=["sandbox: smtp"])


def _sink(request: Request) -> SmtpSink:
    sink: SmtpSink | None = request.app.state.sandbox.extras.get("smtp")
    if sink is None:
        raise NotFound("o SMTP do sandbox não está ativo")
    return sink


@router.get("/messages")
async def list_messages(request: Request, to: str | None = None) -> list[dict[str, Any]]:
    """Mails received, newest first (optionally only those to an address)."""
    mails = [m for m in reversed(_sink(request).messages) if to is None or any(to in r for r in m.rcpt_tos)]
    return [m.summary() for m in mails]


@router.get("/messages/{mail_id}")
async def get_message(request: Request, mail_id: int) -> dict[str, Any]:
    return _sink(request).get(mail_id).view()


@router.get("/messages/{mail_id}/html", response_class=HTMLResponse)
async def message_html(request: Request, mail_id: int) -> HTMLResponse:
    mail = _sink(request).get(mail_id)
    return HTMLResponse(mail.html or f"<pre>{mail.text or ''}</pre>")


@router.get("/messages/{mail_id}/attachments/{index}")
async def attachment(request: Request, mail_id: int, index: int) -> Response:
    mail = _sink(request).get(mail_id)
    if not 0 <= index < len(mail.attachments):
        raise NotFound("anexo não encontrado")
    item = mail.attachments[index]
    return Response(
        item.content,
        media_type=item.content_type,
        headers={"Content-Disposition": f'attachment; filename="{item.filename}"'},
    )


@router.delete("/messages", status_code=204)
async def clear(request: Request) -> None:
    _sink(request).messages.clear()
