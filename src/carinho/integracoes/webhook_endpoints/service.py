"""Outbound webhook endpoints: CRUD, secret rotation with a grace period, and their health
(410 or days of exhausted deliveries disable them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.errors import BadRequest, NotFound
from carinho.integracoes.events.service import decode_cursor, encode_cursor
from carinho.integracoes.webhook_endpoints import secret_box
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.integracoes.webhook_endpoints.schemas import (
    EndpointCreate,
    EndpointOut,
    EndpointPage,
    EndpointUpdate,
    EndpointWithSecret,
    RotateSecret,
)
from carinho.kit.clock import utcnow
from carinho.kit.db import BIGINT_MAX
from carinho.kit.signatures import new_whsec
from carinho.logging import get_logger

log = get_logger(__name__)


def decode_id_cursor(cursor: str) -> int:
    value = decode_cursor(cursor)
    if value > BIGINT_MAX:
        raise BadRequest("invalid cursor")
    return value


def to_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        target_system=endpoint.target_system,
        description=endpoint.description,
        event_types=list(endpoint.event_types or []),
        retry_schedule=list(endpoint.retry_schedule) if endpoint.retry_schedule is not None else None,
        enabled=endpoint.enabled,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def with_secret(endpoint: WebhookEndpoint, secret: str) -> EndpointWithSecret:
    return EndpointWithSecret(**to_out(endpoint).model_dump(), secret=secret)


class WebhookEndpointService:
    async def create(self, session: AsyncSession, data: EndpointCreate) -> tuple[WebhookEndpoint, str]:
        secret = data.secret or new_whsec()
        now = utcnow()
        endpoint = WebhookEndpointRepository(session).add(
            WebhookEndpoint(
                url=data.url,
                target_system=data.target_system,
                description=data.description,
                event_types=list(data.event_types),
                retry_schedule=list(data.retry_schedule) if data.retry_schedule is not None else None,
                secret=secret_box.seal(secret),
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        log.info("webhook_endpoint.created", endpoint_id=endpoint.id, target_system=endpoint.target_system)
        return endpoint, secret

    async def get(
        self, session: AsyncSession, endpoint_id: int, *, for_update: bool = False
    ) -> WebhookEndpoint:
        endpoint = await WebhookEndpointRepository(session).get(endpoint_id, for_update=for_update)
        if endpoint is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found")
        return endpoint

    async def page(
        self,
        session: AsyncSession,
        *,
        cursor: str | None,
        limit: int,
        target_system: str | None = None,
        enabled: bool | None = None,
    ) -> EndpointPage:
        after = decode_id_cursor(cursor) if cursor else None
        rows = await WebhookEndpointRepository(session).page(
            after_id=after, limit=limit + 1, target_system=target_system, enabled=enabled
        )
        items = [to_out(row) for row in rows[:limit]]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit and items else None
        return EndpointPage(items=items, next_cursor=next_cursor)

    async def update(self, session: AsyncSession, endpoint_id: int, data: EndpointUpdate) -> WebhookEndpoint:
        endpoint = await self.get(session, endpoint_id, for_update=True)
        changes = data.model_dump(exclude_unset=True)
        for name in ("url", "target_system", "description", "event_types"):
            if changes.get(name) is not None:
                setattr(endpoint, name, changes[name])
        if "retry_schedule" in changes:
            endpoint.retry_schedule = (
                list(changes["retry_schedule"]) if changes["retry_schedule"] is not None else None
            )
        if changes.get("enabled") is True:
            endpoint.disabled_at = None
            endpoint.disabled_reason = None
            endpoint.failing_since = None
        elif changes.get("enabled") is False and endpoint.disabled_at is None:
            self.disable(endpoint, "disabled through the API")
        endpoint.updated_at = utcnow()
        return endpoint

    async def delete(self, session: AsyncSession, endpoint_id: int) -> None:
        """Soft delete: deliveries keep their history; nothing is sent to it any more."""
        endpoint = await self.get(session, endpoint_id, for_update=True)
        endpoint.deleted_at = utcnow()
        endpoint.updated_at = endpoint.deleted_at
        log.info("webhook_endpoint.deleted", endpoint_id=endpoint.id)

    async def rotate_secret(
        self, session: AsyncSession, endpoint_id: int, data: RotateSecret
    ) -> tuple[WebhookEndpoint, str]:
        """A new secret signs from now on; the old one also signs during the grace period."""
        endpoint = await self.get(session, endpoint_id, for_update=True)
        new_secret = data.secret or new_whsec()
        now = utcnow()
        if data.grace_period_seconds > 0:
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = now + timedelta(seconds=data.grace_period_seconds)
        else:
            endpoint.previous_secret = None
            endpoint.previous_secret_expires_at = None
        endpoint.secret = secret_box.seal(new_secret)
        endpoint.updated_at = now
        log.info("webhook_endpoint.secret_rotated", endpoint_id=endpoint.id, grace=data.grace_period_seconds)
        return endpoint, new_secret

    def signing_secrets(self, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
        """The current secret first, then the previous one while its grace period lasts."""
        secrets = [secret_box.unseal(endpoint.secret)]
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and expires is not None and expires > now:
            secrets.append(secret_box.unseal(endpoint.previous_secret))
        return secrets

    def disable(self, endpoint: WebhookEndpoint, reason: str) -> None:
        now = utcnow()
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason[:200]
        endpoint.updated_at = now
        log.warning("webhook_endpoint.disabled", endpoint_id=endpoint.id, reason=reason)

    def note_success(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None

    def note_dead_delivery(self, endpoint: WebhookEndpoint) -> None:
        """Svix-like: an endpoint whose deliveries did nothing but fail for N days is disabled."""
        now = utcnow()
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            return
        limit = timedelta(days=runtime.current().settings.webhook_disable_after_days)
        if endpoint.disabled_at is None and now - endpoint.failing_since >= limit:
            days = runtime.current().settings.webhook_disable_after_days
            self.disable(endpoint, f"every delivery failed for {days:g} days")


webhook_endpoint_service = WebhookEndpointService()
