"""One error hierarchy. Services raise these; one handler renders them as JSON (API) or HTML (UI)."""

from __future__ import annotations

from typing import Any


class CarinhoError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.details = details
        self.headers = headers or {}

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class BadRequest(CarinhoError):
    status_code = 400
    code = "bad_request"


class Unauthorized(CarinhoError):
    status_code = 401
    code = "unauthorized"


class Forbidden(CarinhoError):
    status_code = 403
    code = "forbidden"


class NotFound(CarinhoError):
    status_code = 404
    code = "not_found"


class Conflict(CarinhoError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(CarinhoError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(CarinhoError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(CarinhoError):
    status_code = 422
    code = "validation_error"


class RateLimited(CarinhoError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(CarinhoError):
    status_code = 503
    code = "service_unavailable"
