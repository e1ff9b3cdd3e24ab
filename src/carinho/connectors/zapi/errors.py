"""Z-API's documented and reported errors (zapi.md §4), mapped to connector errors.

Z-API answers errors as `{"error": "<text>"}` with loosely defined status codes, so the text decides
first and the status code second.
"""

from __future__ import annotations

from typing import Any

from carinho.connectors.errors import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorPermanentError,
    ConnectorTransientError,
)
from carinho.connectors.http import error_for_status

SYSTEM = "zapi"


class ZapiDisconnected(ConnectorTransientError):
    """The instance's phone is not connected: retry once it reconnects."""

    code = "zapi_disconnected"


class ZapiIpNotAllowed(ConnectorAuthError):
    """This machine's IP is not in the instance's allow-list: fix the panel, then retry."""

    code = "zapi_ip_not_allowed"


class ZapiSubscriptionRequired(ConnectorPermanentError):
    """The instance is unpaid or expired: nothing will be sent until someone subscribes again."""

    code = "zapi_subscription_required"


class ZapiRejected(ConnectorPermanentError):
    """A 2xx that is not a success (`{"value": false}`, or a send answer without any id)."""

    code = "zapi_rejected"


class ZapiInstanceNotFound(ConnectorAuthError):
    """Unknown instance id or token (ZAPI_INSTANCE_ID / ZAPI_TOKEN are wrong)."""

    code = "zapi_instance_not_found"


def error_for_body(status: int, body: Any) -> ConnectorError:
    text = body.get("error") if isinstance(body, dict) else None
    message = str(text or body or "")[:300]
    lowered = message.lower()
    full = f"Z-API answered {status}: {message}"
    if "client-token" in lowered or lowered.startswith("null not allowed"):
        return ConnectorAuthError(full, system=SYSTEM, upstream_status=status)
    if lowered.endswith("not allowed"):
        return ZapiIpNotAllowed(full, system=SYSTEM, upstream_status=status)
    if "subscribe to this instance" in lowered:
        return ZapiSubscriptionRequired(full, system=SYSTEM, upstream_status=status)
    if "not connected" in lowered or "restore the session" in lowered:
        return ZapiDisconnected(full, system=SYSTEM, upstream_status=status)
    if "instance not found" in lowered:
        return ZapiInstanceNotFound(full, system=SYSTEM, upstream_status=status)
    return error_for_status(SYSTEM, status, message)


def value_false() -> ZapiRejected:
    return ZapiRejected('Z-API answered {"value": false}', system=SYSTEM, upstream_status=200)
