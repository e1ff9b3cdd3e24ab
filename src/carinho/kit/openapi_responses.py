"""The error responses of our APIs, documented in one place for both apps.

Every error body is `ErrorResponse` (kit/web.py renders them). `document_common_errors` adds to each
operation of an app's OpenAPI document the errors any operation of its shape can answer, beside what
its route documents itself: the app's authentication errors where the operation declares security,
404 where its path names a resource, 422 and 400 where it takes input, 413 where it takes a body, 409
where it writes. `documented` turns a route's own statuses into FastAPI's `responses=`.

422 and 400 are two different refusals: 422, the request does not have the documented shape (a field
missing, of the wrong type, out of its range); 400, it has the shape but breaks a rule the document
cannot state (the end of a period before its start, a rule kind without its keywords). A request
valid by the document may get a 400 or a 409 (the resource's state forbids it), never a 422.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

ERROR_SCHEMA = "ErrorResponse"
_WRITES = frozenset({"post", "put", "patch", "delete"})
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}


class ErrorResponse(BaseModel):
    """Every error of our APIs and webhooks."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "validation_error",
                    "message": "the request has invalid fields",
                    "details": [{"field": "phone", "message": "invalid Brazilian phone number"}],
                    "request_id": "5f0c2f9b0e8a4d6b9c1e2a3b4c5d6e7f",
                }
            ]
        }
    )

    error: str
    message: str
    details: Any | None = None
    request_id: str | None = None


def documented(descriptions: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's own error statuses (`{404: "No such item"}`), as FastAPI's `responses=`."""
    return {status: {"model": ErrorResponse, "description": text} for status, text in descriptions.items()}


def document_common_errors(app: FastAPI, auth_errors: Mapping[int, str]) -> None:
    """From now on `app.openapi()` documents the common errors of every operation; `auth_errors` are
    what the app answers a caller its security refuses (e.g. 401, 403, 429)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            add_common_errors(document, auth_errors)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_common_errors(document: dict[str, Any], auth_errors: Mapping[int, str]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA, ErrorResponse.model_json_schema())
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            _add_to_operation(method, operation, auth_errors)
    # FastAPI's own 422 body ({"detail": [...]}) is not what our handler answers.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _add_to_operation(method: str, operation: dict[str, Any], auth_errors: Mapping[int, str]) -> None:
    parameters = operation.get("parameters", [])
    common: dict[int, str] = {}
    if operation.get("security"):
        common.update(auth_errors)
    if any(parameter.get("in") == "path" for parameter in parameters):
        common[404] = "No such resource"
    if parameters or "requestBody" in operation:
        common[422] = "Invalid fields: `details` names each one"
        common[400] = "A rule beyond the fields' shapes is broken: `message` says which"
    if "requestBody" in operation:
        common[413] = "The body is larger than CARINHO_MAX_BODY_BYTES"
    if method in _WRITES:
        common[409] = "Not possible in the current state of what it changes"
    responses = operation.setdefault("responses", {})
    for status, description in common.items():
        responses.setdefault(str(status), {"description": description})
    for status, response in responses.items():
        if status.startswith(("4", "5")) and _is_fastapi_default(response):
            response["content"] = {"application/json": {"schema": _ERROR_REF}}


def _is_fastapi_default(response: dict[str, Any]) -> bool:
    """No body documented yet, or FastAPI's HTTPValidationError."""
    if "content" not in response:
        return True
    schema = response["content"].get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
