"""What every simulated Carinho system shares: API-key check, Laravel-style envelopes and errors,
paging with `updated_since`, and `Idempotency-Key` on writes (docs/contratos/README.md)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from carinho.sandbox.systems.store import Store, parse_timestamp

M = TypeVar("M", bound=BaseModel)
MAX_PER_PAGE = 100


class LaravelError(Exception):
    """An error answered the way a Laravel API answers it: `{"message", "errors"?}`."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status)


def install_laravel_errors(app: FastAPI) -> None:
    @app.exception_handler(LaravelError)
    async def laravel_error(_: Request, exc: LaravelError) -> JSONResponse:
        return exc.response()


def not_found() -> LaravelError:
    return LaravelError(404, "Registro não encontrado.")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.sandbox.store
    return store


def check_api_key(request: Request, system: str) -> None:
    expected = request.app.state.sandbox.settings.system_api_key(system)
    given = request.headers.get("x-api-key", "")
    if not given or (expected and given != expected):
        raise LaravelError(401, "Unauthenticated.")


async def validated(request: Request, model: type[M]) -> M:
    try:
        payload = await request.json()
    except ValueError:
        raise LaravelError(400, "Corpo da requisição não é JSON válido.") from None
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "body"
            errors.setdefault(field, []).append(err["msg"])
        first = next(iter(errors.values()))[0]
        extra = sum(len(v) for v in errors.values()) - 1
        message = first + (f" (e mais {extra} erro{'s' if extra > 1 else ''})" if extra else "")
        raise LaravelError(422, message, errors) from None


async def idempotent(
    request: Request, system: str, work: Callable[[], Awaitable[tuple[int, Any]]]
) -> JSONResponse:
    """Run a write once per `Idempotency-Key`: a repeat with the same body replays the first answer
    (`Idempotent-Replayed: true`); a repeat with another body is refused with 422."""
    key = request.headers.get("idempotency-key")
    if not key:
        raise LaravelError(400, "O cabeçalho Idempotency-Key é obrigatório em escritas.")
    store = store_of(request)
    fingerprint = hashlib.sha256(
        request.method.encode() + request.url.path.encode() + await request.body()
    ).hexdigest()
    async with store.idempotency_lock(system, key):
        remembered = await store.recall(system, key)
        if remembered is None:
            status, body = await work()
            await store.remember(system, key, fingerprint, status, body)
            remembered = await store.recall(system, key)
            assert remembered is not None
            if remembered[0] == fingerprint and (remembered[1], remembered[2]) == (status, body):
                return JSONResponse(body, status_code=status)
    stored_fingerprint, status, body = remembered
    if stored_fingerprint != fingerprint:
        raise LaravelError(422, "Idempotency-Key já usada com outro conteúdo.")
    return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"})


def paged(
    request: Request, items: list[dict[str, Any]], filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Laravel's paginator: `data`, `links`, `meta`; `?page`, `?per_page` (≤100), `?updated_since`."""
    params = request.query_params
    try:
        page = max(1, int(params.get("page", "1")))
        per_page = min(MAX_PER_PAGE, max(1, int(params.get("per_page", "15"))))
    except ValueError:
        raise LaravelError(422, "page e per_page devem ser números.") from None
    since_text = params.get("updated_since")
    if since_text:
        try:
            since = _aware(datetime.fromisoformat(since_text.replace("Z", "+00:00")))
        except ValueError:
            raise LaravelError(422, "updated_since deve ser uma data ISO 8601.") from None
        items = [i for i in items if parse_timestamp(i["updated_at"]) > since]
    for name, value in (filters or {}).items():
        if value is not None:
            items = [i for i in items if str(i.get(name)) == str(value)]
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    base = str(request.url.remove_query_params("page"))
    sep = "&" if "?" in base else "?"
    return {
        "data": chunk,
        "links": {
            "first": f"{base}{sep}page=1",
            "last": f"{base}{sep}page={last_page}",
            "prev": f"{base}{sep}page={page - 1}" if page > 1 else None,
            "next": f"{base}{sep}page={page + 1}" if page < last_page else None,
        },
        "meta": {
            "current_page": page,
            "last_page": last_page,
            "per_page": per_page,
            "total": total,
            "from": start + 1 if chunk else None,
            "to": start + len(chunk) if chunk else None,
        },
    }


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def guard(system: str) -> Callable[[Request], None]:
    def dependency(request: Request) -> None:
        check_api_key(request, system)

    return dependency


async def get_or_404(request: Request, system: str, resource: str, record_id: int) -> dict[str, Any]:
    record = await store_of(request).get(system, resource, record_id)
    if record is None:
        raise not_found()
    return record


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)
