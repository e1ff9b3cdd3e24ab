"""LGPD masking: phone numbers, e-mails, CPFs and message text never leave the process in clear."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***"

# Keys whose values are personal or free text: replaced whole, whatever they contain.
SENSITIVE_KEYS = frozenset(
    {
        "text",
        "message",
        "body",
        "content",
        "caption",
        "comment",
        "phone",
        "telefone",
        "email",
        "e_mail",
        "cpf",
        "name",
        "nome",
        "sendername",
        "chatname",
        "password",
        "senha",
        "token",
        "secret",
        "api_key",
        "authorization",
        "client_token",
        "address",
        "endereco",
    }
)
# Keys a logger uses for its own text: scrubbed by pattern, not dropped.
TEXT_KEYS = frozenset({"event", "msg", "error", "exception", "detail", "reason"})

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_CPF = re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?!\d)")
# Brazilian phones in the shapes people and systems write them: +55 (11) 91234-5678,
# 5511912345678, (11) 1234-5678, 11 91234 5678, and any bare run of 8+ digits.
_PHONE = re.compile(r"(?<![\w])(?:\+?\s?55[\s.-]?)?(?:\(?\d{2}\)?[\s.-]?)?9?\s?\d{4}[\s.-]?\d{4}(?!\d)")
_LONG_DIGITS = re.compile(r"\d{8,}")
_CHAT_ID = re.compile(r"[\w.-]+@(?:c\.us|s\.whatsapp\.net|g\.us|lid)\b")


def mask_text(value: str) -> str:
    value = _CHAT_ID.sub(MASK, value)
    value = _EMAIL.sub(MASK, value)
    value = _CPF.sub(MASK, value)
    value = _PHONE.sub(MASK, value)
    return _LONG_DIGITS.sub(MASK, value)


def _is_sensitive_key(key: str) -> bool:
    normalised = key.lower().replace("-", "_")
    return normalised in SENSITIVE_KEYS or normalised.endswith(("_phone", "_email", "_cpf"))


def mask_value(value: Any, key: str | None = None) -> Any:
    if key is not None and _is_sensitive_key(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [mask_value(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000_000:
        return mask_text(str(value))
    return value


def mask_event_dict(event: Mapping[str, Any]) -> dict[str, Any]:
    """Mask one structlog event dict: sensitive keys dropped, every string scrubbed."""
    masked: dict[str, Any] = {}
    for key, value in event.items():
        if key in TEXT_KEYS:
            masked[key] = mask_value(value)
        else:
            masked[key] = mask_value(value, key)
    return masked
