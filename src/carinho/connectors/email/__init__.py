"""E-mail: pt-BR templates with the company's branding, sent with aiosmtplib."""

from carinho.connectors.email.branding import Branding
from carinho.connectors.email.sender import TEMPLATES, Attachment, EmailSender, SentEmail

__all__ = ["TEMPLATES", "Attachment", "Branding", "EmailSender", "SentEmail"]
