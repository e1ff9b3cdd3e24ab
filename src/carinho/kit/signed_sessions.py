"""Signed, expiring credentials for people: the pages' session cookie (with its CSRF token) and API
bearer tokens. itsdangerous tokens signed with SESSION_SECRET whose age is read from our clock (the
sandbox clock moves it); each carries the account id and its `auth_epoch` — bumping the epoch revokes
everything the account holds. Used by atendimento's agents and the hub console's operators, each
with its own salts, so a credential of one is never valid for the other."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from carinho.errors import Forbidden, Unauthorized
from carinho.kit.clock import utcnow

CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    if not secret:
        raise RuntimeError("SESSION_SECRET is not set")
    return URLSafeTimedSerializer(secret, salt=salt, signer=_ClockSigner)


@dataclass(frozen=True)
class Credential:
    account_id: int
    epoch: int
    csrf: str | None = None


@dataclass(frozen=True)
class CredentialKind:
    """The salts of one kind of account; `max_age` in seconds."""

    bearer_salt: str
    session_salt: str
    max_age: int

    def issue_bearer(self, secret: str, account_id: int, epoch: int) -> str:
        return str(_serializer(secret, self.bearer_salt).dumps({"a": account_id, "e": epoch}))

    def issue_session(self, secret: str, account_id: int, epoch: int) -> tuple[str, str]:
        """The cookie value and its CSRF token (sent back in X-CSRF-Token or the csrf_token field)."""
        csrf = secrets.token_urlsafe(24)
        value = _serializer(secret, self.session_salt).dumps({"a": account_id, "e": epoch, "c": csrf})
        return str(value), csrf

    def read_bearer(self, secret: str, token: str) -> Credential | None:
        data = self._load(secret, self.bearer_salt, token)
        return None if data is None else Credential(int(data["a"]), int(data["e"]))

    def read_session(self, secret: str, cookie: str) -> Credential | None:
        data = self._load(secret, self.session_salt, cookie)
        if data is None:
            return None
        return Credential(int(data["a"]), int(data["e"]), str(data.get("c") or ""))

    def _load(self, secret: str, salt: str, token: str) -> dict[str, Any] | None:
        try:
            data = _serializer(secret, salt).loads(token, max_age=self.max_age)
        except (SignatureExpired, BadSignature):
            return None
        if not isinstance(data, dict) or not {"a", "e"} <= data.keys():
            return None
        return data


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


async def submitted_csrf(headers: Any, method: str, form: Any) -> str | None:
    """The CSRF token of an unsafe request: the header (htmx) or the form field (plain forms).
    `form` is an awaitable factory of the parsed form (Starlette's `request.form`)."""
    given = headers.get(CSRF_HEADER)
    if not given and method not in SAFE_METHODS and headers.get("content-type", "").startswith(FORM_TYPES):
        given = str((await form()).get(CSRF_FORM_FIELD) or "")
    return given


class PersonAccount(Protocol):
    id: int
    active: bool
    auth_epoch: int


AccountT = TypeVar("AccountT", bound=PersonAccount)


async def check_csrf(request: Request, credential: Credential) -> None:
    if request.method in SAFE_METHODS:
        return
    if not csrf_matches(credential.csrf, await submitted_csrf(request.headers, request.method, request.form)):
        raise Forbidden("Token CSRF ausente ou inválido: recarregue a página e tente de novo.")


def account_of(account: AccountT | None, credential: Credential | None) -> AccountT:
    """The account a credential names, if it is still valid: active, and not revoked since."""
    if credential is None or account is None or not account.active or account.auth_epoch != credential.epoch:
        raise Unauthorized("Sessão inválida ou expirada: faça login novamente.")
    return account


async def page_account(
    request: Request,
    cookie: str | None,
    kind: CredentialKind,
    load: Callable[[int], Awaitable[AccountT | None]],
) -> AccountT:
    """The signed-in person of a page request (session cookie + CSRF for unsafe methods); sets what
    the pages render with (`request.state.ui_user`, `request.state.csrf_token`)."""
    if not cookie:
        raise Unauthorized("Autenticação necessária: faça login.")
    secret = request.app.state.runtime.settings.session_secret.get_secret_value()
    credential = kind.read_session(secret, cookie)
    if credential is not None:
        await check_csrf(request, credential)
    account = account_of(await load(credential.account_id) if credential else None, credential)
    request.state.ui_user = account
    request.state.csrf_token = credential.csrf if credential else ""
    return account
