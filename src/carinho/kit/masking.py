"""LGPD masking: phone numbers, e-mails, CPFs and message text never leave the process in clear, and
neither does any configured secret (tokens, API keys, webhook secrets, passwords, encryption keys).

Three passes over every string of a log line:

1. secrets: the configured values themselves (`SecretMasker`, built from the settings: see
   `Settings.log_secrets`), also percent-encoded, wherever they appear, URL paths and query strings
   included; and by shape whatever looks like a credential in a URL (`?token=…`, `/token/…/` of Z-API's
   paths, `user:password@` of a URL, `Bearer …`), configured or not;
2. identifiers are left alone: a hex run of 16+ characters with at least one letter (request ids,
   `uuid4().hex`, digests, Z-API message ids) or a dashed UUID is not a phone number, even when it
   holds eight digits in a row;
3. personal data by pattern in the rest: WhatsApp chat ids, e-mails, CPFs, phones, long digit runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

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

# `%40`: an e-mail in a URL's query string (`?to=maria%40exemplo.com.br`).
_EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_CPF = re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?!\d)")
# Brazilian phones in the shapes people and systems write them: +55 (11) 91234-5678,
# 5511912345678, (11) 1234-5678, 11 91234 5678, and any bare run of 8+ digits.
_PHONE = re.compile(r"(?<![\w])(?:\+?\s?55[\s.-]?)?(?:\(?\d{2}\)?[\s.-]?)?9?\s?\d{4}[\s.-]?\d{4}(?!\d)")
_LONG_DIGITS = re.compile(r"\d{8,}")
_CHAT_ID = re.compile(r"[\w.-]+@(?:c\.us|s\.whatsapp\.net|g\.us|lid)\b")

# Identifiers, not personal data: a hex run of 16+ characters (with a letter: a bare digit run may be a
# phone) or a dashed UUID, standing alone (not part of a word, an e-mail or a domain).
_HEX_ID = re.compile(
    r"(?<![\w.@+%-])"
    r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,})"
    r"(?![\w@-])(?!\.\w)"
)
_HEX_LETTER = re.compile(r"[a-fA-F]")

# Credentials by shape, configured or not: the value of a credential-like query parameter, Z-API's
# `/instances/{id}/token/{token}/` path segment, the password of `scheme://user:password@host`, and a
# bearer token.
_CREDENTIAL_PARAM = re.compile(
    r"(?i)([?&;](?:token|access_token|client_token|api_key|apikey|secret|password|senha|signature|sig)=)"
    r"[^&#\s\"'<>]+"
)
_ZAPI_TOKEN_SEGMENT = re.compile(r"(/token/)[^/?#\s\"'<>]+")
_URL_PASSWORD = re.compile(r"(\w://[^/\s:@\"'<>]*:)[^@/\s\"'<>]+(@)")
_BEARER = re.compile(r"(?i)(\bBearer\s+)[\w.~+/=-]+")

# A configured value shorter than this is not masked by value (it would garble ordinary words); the
# shapes above still catch it in URLs.
MIN_SECRET_LENGTH = 6


class SecretMasker:
    """Replaces the given secret values (and their percent-encoded forms) wherever they appear."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for value in values:
            if not value or len(value) < MIN_SECRET_LENGTH:
                continue
            forms.update({value, quote(value, safe=""), quote(value), quote_plus(value)})
        self.values = frozenset(forms)
        ordered = sorted(forms, key=len, reverse=True)  # the longest form first
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern is not None else text


NO_SECRETS = SecretMasker()


def mask_credentials(value: str, secrets: SecretMasker = NO_SECRETS) -> str:
    """Configured secrets by value, and credentials in URLs and headers by shape."""
    value = secrets(value)
    if "=" in value:
        value = _CREDENTIAL_PARAM.sub(rf"\1{MASK}", value)
    if "/token/" in value:
        value = _ZAPI_TOKEN_SEGMENT.sub(rf"\1{MASK}", value)
    if "@" in value:
        value = _URL_PASSWORD.sub(rf"\1{MASK}\2", value)
    if "earer" in value:
        value = _BEARER.sub(rf"\1{MASK}", value)
    return value


def _mask_personal(value: str) -> str:
    value = _CHAT_ID.sub(MASK, value)
    value = _EMAIL.sub(MASK, value)
    value = _CPF.sub(MASK, value)
    value = _PHONE.sub(MASK, value)
    return _LONG_DIGITS.sub(MASK, value)


def mask_text(value: str, secrets: SecretMasker = NO_SECRETS) -> str:
    value = mask_credentials(value, secrets)
    parts: list[str] = []
    start = 0
    for match in _HEX_ID.finditer(value):
        if not _HEX_LETTER.search(match.group()):
            continue  # digits only: may be a phone
        parts.append(_mask_personal(value[start : match.start()]))
        parts.append(match.group())
        start = match.end()
    parts.append(_mask_personal(value[start:]))
    return "".join(parts)


def _normalised(key: str) -> str:
    return key.lower().replace("-", "_")


def _is_sensitive_key(key: str) -> bool:
    normalised = _normalised(key)
    return normalised in SENSITIVE_KEYS or normalised.endswith(
        ("_phone", "_email", "_cpf", "_token", "_secret", "_password", "_api_key")
    )


def _is_id_key(key: str | None) -> bool:
    return key is not None and (_normalised(key) == "id" or _normalised(key).endswith(("_id", "_ids")))


def mask_value(value: Any, key: str | None = None, secrets: SecretMasker = NO_SECRETS) -> Any:
    if key is not None and _is_sensitive_key(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: mask_value(v, str(k), secrets) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [mask_value(v, key if _is_id_key(key) else None, secrets) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000_000:
        # Our own row ids (`event_id=12345678`) are numbers, not phones.
        return value if _is_id_key(key) else mask_text(str(value))
    return value


def mask_event_dict(event: Mapping[str, Any], secrets: SecretMasker = NO_SECRETS) -> dict[str, Any]:
    """Mask one structlog event dict: sensitive keys dropped, every string scrubbed of secrets and
    personal data (identifiers kept)."""
    masked: dict[str, Any] = {}
    for key, value in event.items():
        if key in TEXT_KEYS:
            masked[key] = mask_value(value, None, secrets)
        else:
            masked[key] = mask_value(value, key, secrets)
    return masked


def _is_person_name_key(key: str) -> bool:
    normalised = _normalised(key)
    return normalised.endswith(("_name", "name")) and normalised not in ("type_name", "file_name", "filename")


def mask_payload(value: Any, key: str | None = None) -> Any:
    """A payload shown to a person (the console): what `mask_value` hides, and people's names under
    any `…_name` key too (`sender_name`, `chat_name`, `client_name` ...)."""
    if key is not None and _is_person_name_key(key) and isinstance(value, str) and value:
        return MASK
    if isinstance(value, Mapping):
        return {k: mask_payload(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_payload(v, key if _is_id_key(key) else None) for v in value]
    return mask_value(value, key)
