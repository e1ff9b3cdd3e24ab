"""`EmailSender(settings).send(to, template, context, attachments=[])`: renders a pt-BR template
(subject, plain text and HTML, with the branding) and sends it through MAIL_* with aiosmtplib.

Failures raise connector errors: connection problems, timeouts and 4xx SMTP replies are transient;
5xx replies and refused recipients are permanent; a rejected login is an auth error.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, select_autoescape

from carinho.config import Settings
from carinho.connectors.email.branding import Branding
from carinho.connectors.errors import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorPermanentError,
    ConnectorTransientError,
)
from carinho.logging import get_logger

log = get_logger(__name__)
SYSTEM = "email"
# Each template and the context keys it requires (others it names are optional).
REQUIRED: dict[str, tuple[str, ...]] = {
    "welcome": ("client_name",),
    "feedback_request": ("client_name", "feedback_url"),
    "proposal": ("client_name", "proposal_number"),
    "contract": ("client_name", "contract_number"),
    # Written by an attendant in atendimento (a proposal or contract e-mail), in the branded layout.
    "document": ("subject", "body"),
    "alert": ("title", "kind_label"),
    # The hub's alerts (integracoes/alerts), to OPS_ALERT_EMAIL: opened and resolved.
    "hub_alert": ("title", "kind_label", "state"),
}
TEMPLATES = tuple(REQUIRED)
_environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    subject: str
    to: str


class EmailSender:
    def __init__(self, settings: Settings, branding: Branding | None = None) -> None:
        self.settings = settings
        self.branding = branding or Branding.from_settings(settings)

    def render(self, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, text, html) of a template."""
        if template not in TEMPLATES:
            raise ValueError(f"unknown e-mail template {template!r}; one of: {', '.join(TEMPLATES)}")
        missing = [key for key in REQUIRED[template] if not context.get(key)]
        if missing:
            raise ValueError(f"e-mail template {template!r} needs: {', '.join(missing)}")
        values = {**context, "brand": self.branding}
        subject = _environment.get_template(f"{template}.subject.txt").render(values).strip()
        text = _environment.get_template(f"{template}.txt").render(values)
        html = _environment.get_template(f"{template}.html").render(values)
        return subject, text, html

    def build(
        self,
        to: str,
        template: str,
        context: dict[str, Any],
        attachments: list[Attachment] | None = None,
    ) -> EmailMessage:
        subject, text, html = self.render(template, context)
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = formataddr((self.settings.mail_from_name, self.settings.mail_from_address))
        message["To"] = to
        message["Reply-To"] = self.branding.email
        domain = self.settings.mail_from_address.rpartition("@")[2] or "carinho.com.vc"
        message["Message-ID"] = make_msgid(domain=domain)
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        for item in attachments or []:
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename)
        return message

    async def send(
        self,
        to: str,
        template: str,
        context: dict[str, Any],
        attachments: list[Attachment] | None = None,
    ) -> SentEmail:
        message = self.build(to, template, context, attachments)
        settings = self.settings
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.mail_host,
                port=settings.mail_port,
                username=settings.mail_username or None,
                password=settings.mail_password.get_secret_value() or None,
                use_tls=settings.mail_use_tls,
                start_tls=settings.mail_start_tls,
                timeout=settings.mail_timeout_seconds,
            )
        except aiosmtplib.SMTPException as exc:
            raise _classify(exc) from exc
        except OSError as exc:
            raise ConnectorTransientError(f"SMTP unreachable: {type(exc).__name__}", system=SYSTEM) from exc
        log.info("email.sent", template=template, message_id=message["Message-ID"])
        return SentEmail(message_id=str(message["Message-ID"]), subject=str(message["Subject"]), to=to)


def _classify(exc: aiosmtplib.SMTPException) -> ConnectorError:
    text = f"SMTP: {type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ConnectorAuthError(text, system=SYSTEM, upstream_status=exc.code)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [e.code for e in exc.recipients]
        if codes and all(400 <= c < 500 for c in codes):
            return ConnectorTransientError(text, system=SYSTEM, upstream_status=codes[0])
        return ConnectorPermanentError(text, system=SYSTEM, upstream_status=codes[0] if codes else None)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if 400 <= exc.code < 500:
            return ConnectorTransientError(text, system=SYSTEM, upstream_status=exc.code)
        return ConnectorPermanentError(text, system=SYSTEM, upstream_status=exc.code)
    return ConnectorTransientError(text, system=SYSTEM)
