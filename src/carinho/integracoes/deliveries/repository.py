"""All queries on deliveries and their attempts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from carinho.integracoes.deliveries.models import AttemptStatus, Delivery, DeliveryAttempt
from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit.repository import Repository


class DeliveryRepository(Repository[Delivery]):
    model = Delivery

    def add_attempt(self, attempt: DeliveryAttempt) -> DeliveryAttempt:
        self.session.add(attempt)
        return attempt

    async def get_for_update(self, delivery_id: int) -> Delivery | None:
        return await self.one_locked(select(Delivery).where(Delivery.id == delivery_id))

    async def attempt(self, delivery_id: int, number: int) -> DeliveryAttempt | None:
        result = await self.session.execute(
            select(DeliveryAttempt).where(
                DeliveryAttempt.delivery_id == delivery_id, DeliveryAttempt.number == number
            )
        )
        return result.scalars().first()

    async def in_flight(self, delivery_id: int) -> Sequence[DeliveryAttempt]:
        result = await self.session.execute(
            select(DeliveryAttempt).where(
                DeliveryAttempt.delivery_id == delivery_id,
                DeliveryAttempt.status == AttemptStatus.sending.value,
            )
        )
        return result.scalars().all()

    async def endpoint_ids_for_event(self, event_id: int) -> set[int]:
        result = await self.session.execute(select(Delivery.endpoint_id).where(Delivery.event_id == event_id))
        return set(result.scalars())

    async def for_event(self, event_id: int) -> Sequence[Delivery]:
        result = await self.session.execute(
            select(Delivery).where(Delivery.event_id == event_id).order_by(Delivery.id)
        )
        return result.scalars().all()

    async def attempts_for(self, delivery_ids: Sequence[int]) -> Sequence[DeliveryAttempt]:
        if not delivery_ids:
            return []
        result = await self.session.execute(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(delivery_ids)))
            .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.number)
        )
        return result.scalars().all()

    async def for_endpoint(
        self, endpoint_id: int, status: str | None, before: int | None, limit: int
    ) -> Sequence[tuple[Delivery, str]]:
        """An endpoint's deliveries, newest first, with their event's type (keyset on the id)."""
        stmt = (
            select(Delivery, IntegrationEvent.event_type)
            .join(IntegrationEvent, IntegrationEvent.id == Delivery.event_id)
            .where(Delivery.endpoint_id == endpoint_id)
        )
        if status:
            stmt = stmt.where(Delivery.status == status)
        if before:
            stmt = stmt.where(Delivery.id < before)
        result = await self.session.execute(stmt.order_by(Delivery.id.desc()).limit(limit))
        return [(delivery, str(event_type)) for delivery, event_type in result.all()]
