"""The one HTTP base every Carinho system client shares (the contracts are in docs/contratos/).

Base URL `CARINHO_<SYSTEM>_URL` + `/api/v1`, key in `X-API-Key`, timeouts, an `Idempotency-Key` on
every write, Laravel-style envelopes (`{"data": ...}`, paged lists with `meta`), and failures raised
as `carinho.connectors.errors` classified transient or permanent.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from carinho.config import Settings
from carinho.connectors.errors import ConnectorError, ConnectorPermanentError
from carinho.connectors.http import (
    error_for_status,
    error_for_transport,
    parse_retry_after,
    response_message,
    safe_json,
    shared_http_client,
)
from carinho.logging import get_logger

log = get_logger(__name__)

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
T = TypeVar("T", bound=BaseModel)


class Resource(BaseModel):
    """A record of another system: typed fields we use, unknown fields kept (`model_extra`)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PageMeta(BaseModel):
    current_page: int = 1
    last_page: int = 1
    per_page: int = 15
    total: int = 0


class Page(BaseModel, Generic[T]):
    data: list[T]
    meta: PageMeta = Field(default_factory=PageMeta)

    @property
    def has_more(self) -> bool:
        return self.meta.current_page < self.meta.last_page


class SystemClient:
    """Subclasses set `system` and add one method per capability of the contract."""

    system: ClassVar[str]

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        base_url = settings.system_url(self.system).rstrip("/")
        if not base_url:
            raise ConnectorPermanentError(
                f"CARINHO_{self.system.upper()}_URL is not configured", system=self.system
            )
        self.settings = settings
        self.base_url = base_url + API_PREFIX
        self.api_key = settings.system_api_key(self.system)
        self.http = http or shared_http_client(settings.connector_timeout_seconds)

    async def aclose(self) -> None:
        """Nothing to release: the client is the caller's or the loop's shared one."""

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # -------------------------------------------------------------- reading

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = await self._send("GET", path, params=_clean(params or {}))
        return _data(response)

    async def _get_one(self, path: str, model: type[T], params: dict[str, Any] | None = None) -> T:
        return model.model_validate(await self._get(path, params))

    async def _get_page(
        self,
        path: str,
        model: type[T],
        *,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        updated_since: datetime | None = None,
        **filters: Any,
    ) -> Page[T]:
        params = {"page": page, "per_page": min(per_page, MAX_PER_PAGE), **filters}
        if updated_since is not None:
            params["updated_since"] = updated_since.isoformat()
        response = await self._send("GET", path, params=_clean(params))
        body = safe_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ConnectorPermanentError(f"{self.system} answered a list without data", system=self.system)
        return Page[model].model_validate(body)  # type: ignore[valid-type]

    async def _iterate(
        self, path: str, model: type[T], *, updated_since: datetime | None = None, **filters: Any
    ) -> AsyncIterator[T]:
        """Every record across pages, oldest change first (incremental syncs pass a watermark)."""
        page = 1
        while True:
            result = await self._get_page(path, model, page=page, updated_since=updated_since, **filters)
            for item in result.data:
                yield item
            if not result.has_more:
                return
            page += 1

    async def _get_bytes(self, path: str) -> bytes:
        response = await self._send("GET", path, accept="*/*")
        return response.content

    # -------------------------------------------------------------- writing

    async def _write(
        self,
        method: str,
        path: str,
        body: BaseModel | dict[str, Any],
        *,
        idempotency_key: str | None,
        expected_refusals: frozenset[int] = frozenset(),
    ) -> Any:
        """POST/PUT/PATCH with an `Idempotency-Key`. Pass a key that is stable across retries of
        the same step (e.g. the step id); a random one is used when none is given."""
        payload = body.model_dump(mode="json", exclude_none=True) if isinstance(body, BaseModel) else body
        key = idempotency_key or uuid.uuid4().hex
        response = await self._send(
            method, path, json=payload, idempotency_key=key, expected_refusals=expected_refusals
        )
        return _data(response)

    # ------------------------------------------------------------ transport

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        extra_headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        accept: str = "application/json",
        url: str | None = None,
        expected_refusals: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """One request; a 4xx/5xx raises the matching `ConnectorError`. A status in
        `expected_refusals` is one the caller handles (e.g. a create that lost a race), so it is
        logged at debug level instead of as a failure."""
        headers = {"X-API-Key": self.api_key, "Accept": accept, **(extra_headers or {})}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = await self.http.request(
                method,
                url or self.base_url + path,
                params=params,
                json=json,
                content=content,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            log.warning("connector.unreachable", system=self.system, method=method, error=type(exc).__name__)
            raise error_for_transport(self.system, exc) from exc
        if response.is_success:
            return response
        error: ConnectorError = error_for_status(
            self.system,
            response.status_code,
            response_message(response),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
        body = safe_json(response)
        if isinstance(body, dict) and isinstance(body.get("errors"), dict):
            error.details = body["errors"]
        handled_by_caller = response.status_code in expected_refusals
        (log.debug if handled_by_caller else log.warning)(
            "connector.refused" if handled_by_caller else "connector.failed",
            system=self.system,
            method=method,
            status=response.status_code,
            retryable=error.retryable,
        )
        raise error


_Self = TypeVar("_Self", bound=SystemClient)


def _data(response: httpx.Response) -> Any:
    body = safe_json(response)
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}
