"""Signed credentials: bearer tokens for API clients and the session cookie (with CSRF) for the UI.

Both are itsdangerous tokens signed with SESSION_SECRET, carrying the agent id and its `auth_epoch`:
bumping the epoch revokes everything the agent holds. Their age is read from our clock.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from carinho.kit.clock import utcnow

SESSION_COOKIE = "carinho_atendimento_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
TOKEN_MAX_AGE_SECONDS = 12 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    if not secret:
        raise RuntimeError("SESSION_SECRET is not set")
    return URLSafeTimedSerializer(secret, salt=salt, signer=_ClockSigner)


@dataclass(frozen=True)
class Credential:
    agent_id: int
    epoch: int
    csrf: str | None = None


def issue_bearer(secret: str, agent_id: int, epoch: int) -> str:
    return str(_serializer(secret, "atendimento.bearer").dumps({"a": agent_id, "e": epoch}))


def issue_session(secret: str, agent_id: int, epoch: int) -> tuple[str, str]:
    """The cookie value and its CSRF token (sent back by the UI in X-CSRF-Token)."""
    csrf = secrets.token_urlsafe(24)
    value = _serializer(secret, "atendimento.session").dumps({"a": agent_id, "e": epoch, "c": csrf})
    return str(value), csrf


def _load(secret: str, salt: str, token: str) -> dict[str, Any] | None:
    try:
        data = _serializer(secret, salt).loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def read_bearer(secret: str, token: str) -> Credential | None:
    data = _load(secret, "atendimento.bearer", token)
    if data is None:
        return None
    return Credential(int(data["a"]), int(data["e"]))


def read_session(secret: str, cookie: str) -> Credential | None:
    data = _load(secret, "atendimento.session", cookie)
    if data is None:
        return None
    return Credential(int(data["a"]), int(data["e"]), str(data.get("c") or ""))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
