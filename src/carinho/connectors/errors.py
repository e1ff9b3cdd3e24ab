"""Errors every connector raises, classified by whether a retry can help."""

from __future__ import annotations

from carinho.errors import CarinhoError


class ConnectorError(CarinhoError):
    status_code = 502
    code = "connector_error"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        system: str,
        upstream_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.system = system
        self.upstream_status = upstream_status
        self.retry_after = retry_after


class ConnectorTransientError(ConnectorError):
    """Timeouts, connection errors, 5xx, 408/409/425/429: retry later."""

    code = "connector_unavailable"
    retryable = True


class ConnectorRateLimited(ConnectorTransientError):
    code = "connector_rate_limited"


class ConnectorPaced(ConnectorRateLimited):
    """Our own send limit, not the system's answer: nothing was sent and nothing failed. The send
    goes again after `retry_after` seconds (its reserved slot) without counting as an attempt."""


class ConnectorPermanentError(ConnectorError):
    """The request itself is wrong (other 4xx): retrying the same call will not help."""

    code = "connector_rejected"


class ConnectorAuthError(ConnectorPermanentError):
    """Bad or missing credentials (Z-API Client-Token, API keys): fix the configuration."""

    code = "connector_auth_error"


class ConnectorGone(ConnectorPermanentError):
    """410: the target no longer exists; disable it."""

    code = "connector_gone"
