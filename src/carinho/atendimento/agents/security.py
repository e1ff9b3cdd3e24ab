"""Agents' credentials: bearer tokens for API clients and the session cookie (with CSRF) for the UI
(the signing itself is `carinho.kit.signed_sessions`)."""

from __future__ import annotations

from carinho.kit.signed_sessions import (
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    Credential,
    CredentialKind,
    csrf_matches,
)

SESSION_COOKIE = "carinho_atendimento_session"
# The login throttle (kit/login_throttle.py): the API's login and the login page count together.
LOGIN_THROTTLE_SCOPE = "atendimento"
TOKEN_MAX_AGE_SECONDS = 12 * 3600
AGENT_CREDENTIALS = CredentialKind(
    bearer_salt="atendimento.bearer", session_salt="atendimento.session", max_age=TOKEN_MAX_AGE_SECONDS
)

issue_bearer = AGENT_CREDENTIALS.issue_bearer
issue_session = AGENT_CREDENTIALS.issue_session
read_bearer = AGENT_CREDENTIALS.read_bearer
read_session = AGENT_CREDENTIALS.read_session

__all__ = [
    "CSRF_FORM_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "TOKEN_MAX_AGE_SECONDS",
    "Credential",
    "csrf_matches",
    "issue_bearer",
    "issue_session",
    "read_bearer",
    "read_session",
]
