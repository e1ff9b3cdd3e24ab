"""All queries on outbound webhook endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Exists, exists, func, select

from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.kit.repository import Repository


class WebhookEndpointRepository(Repository[WebhookEndpoint]):
    model = WebhookEndpoint

    async def get(self, endpoint_id: int, *, for_update: bool = False) -> WebhookEndpoint | None:
        """A live (not deleted) endpoint."""
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.deleted_at.is_(None)
        )
        if for_update:
            return await self.one_locked(stmt)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_any(self, endpoint_id: int) -> WebhookEndpoint | None:
        """Deleted ones too (a pending delivery still needs to know where it was going)."""
        return await self.session.get(WebhookEndpoint, endpoint_id)

    async def page(
        self,
        *,
        after_id: int | None,
        limit: int,
        target_system: str | None = None,
        enabled: bool | None = None,
    ) -> Sequence[WebhookEndpoint]:
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
        if after_id is not None:
            stmt = stmt.where(WebhookEndpoint.id > after_id)
        if target_system is not None:
            stmt = stmt.where(WebhookEndpoint.target_system == target_system)
        if enabled is True:
            stmt = stmt.where(WebhookEndpoint.disabled_at.is_(None))
        elif enabled is False:
            stmt = stmt.where(WebhookEndpoint.disabled_at.is_not(None))
        result = await self.session.execute(stmt.order_by(WebhookEndpoint.id).limit(limit))
        return result.scalars().all()

    async def live_target_systems(self) -> set[str]:
        """The target systems of the endpoints not deleted."""
        stmt = select(WebhookEndpoint.target_system).where(WebhookEndpoint.deleted_at.is_(None)).distinct()
        return set((await self.session.execute(stmt)).scalars())

    async def failing_since_by_target(self) -> list[tuple[str, datetime | None]]:
        """Per target system, since when its longest-failing live endpoint fails."""
        stmt = (
            select(WebhookEndpoint.target_system, func.min(WebhookEndpoint.failing_since))
            .where(WebhookEndpoint.failing_since.is_not(None), WebhookEndpoint.deleted_at.is_(None))
            .group_by(WebhookEndpoint.target_system)
        )
        return [(target, since) for target, since in (await self.session.execute(stmt)).all()]

    @staticmethod
    def any_enabled_column() -> Exists:
        """Whether any endpoint is enabled, as a column of another query (no statement of its own)."""
        return exists().where(WebhookEndpoint.deleted_at.is_(None), WebhookEndpoint.disabled_at.is_(None))

    async def enabled(self) -> Sequence[WebhookEndpoint]:
        result = await self.session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.deleted_at.is_(None), WebhookEndpoint.disabled_at.is_(None))
            .order_by(WebhookEndpoint.id)
        )
        return result.scalars().all()
