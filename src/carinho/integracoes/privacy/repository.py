"""Queries of the hub's privacy package: which events hold personal data still, and the updates that
remove it from an event and everything recorded about it (steps, delivery attempts, dead letters,
feedback requests)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update

from carinho.integracoes.deliveries.models import Delivery, DeliveryAttempt, DeliveryStatus
from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.events.models import EventStatus, IntegrationEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.flows.steps.models import FeedbackRequest, OutboundMessage
from carinho.integracoes.privacy.models import HubPrivacyRequest
from carinho.kit.masking import mask_text
from carinho.kit.repository import SessionRepository

# What an anonymised error, output or comment reads.
REMOVED = "[anonimizado]"
# Statuses after which an event is done with: nothing will read its payload again.
SETTLED = (EventStatus.processed.value, EventStatus.ignored.value)


# Keys of a step's output that an audit needs (what was created where), never personal data.
_ID_KEYS = ("id", "status", "count", "sent", "skipped", "duplicate")


def _keeps(key: str) -> bool:
    key = key.lower()
    return key in _ID_KEYS or key.endswith(("_id", "_ids", "_status", "_count"))


def _ids_of(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {
            k: _ids_of(v) if isinstance(v, dict | list) else v for k, v in value.items() if _keeps(str(k))
        }
        nested = {k: _ids_of(v) for k, v in value.items() if not _keeps(str(k)) and isinstance(v, dict)}
        return {**{k: v for k, v in nested.items() if v}, **kept}
    if isinstance(value, list):
        return [v for v in (_ids_of(v) for v in value) if isinstance(v, int | bool) or v]
    return value if isinstance(value, int | bool) or value is None else None


def ids_only(output: str) -> str | None:
    """A step's JSON output reduced to its ids, statuses and counters."""
    try:
        kept = _ids_of(json.loads(output))
    except ValueError:
        return None
    return json.dumps(kept, ensure_ascii=False) if kept else None


@dataclass(frozen=True)
class StoredEvent:
    id: int
    payload: str
    raw_body: str | None


class PrivacyRepository(SessionRepository):
    # --- finding
    async def expired_events(self, before: datetime, after_id: int, limit: int) -> list[int]:
        """Settled events created before `before`, not anonymised yet, with no delivery still
        being retried (its body is built from the payload), in id order."""
        e = IntegrationEvent
        pending = exists().where(Delivery.event_id == e.id, Delivery.status == DeliveryStatus.pending.value)
        stmt = (
            select(e.id)
            .where(
                e.anonymised_at.is_(None),
                e.status.in_(SETTLED),
                e.created_at < before,
                e.id > after_id,
                ~pending,
            )
            .order_by(e.id)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def events_with_content(self, after_id: int, limit: int) -> Sequence[StoredEvent]:
        """Events not anonymised yet, with their stored (maybe encrypted) payload and raw body."""
        e = IntegrationEvent
        stmt = (
            select(e.id, e.payload, e.raw_body)
            .where(e.anonymised_at.is_(None), e.id > after_id)
            .order_by(e.id)
            .limit(limit)
        )
        return [StoredEvent(r.id, r.payload, r.raw_body) for r in (await self.session.execute(stmt)).all()]

    async def step_outputs(self, event_ids: Sequence[int]) -> dict[int, list[str]]:
        stmt = select(EventStep.event_id, EventStep.output).where(
            EventStep.event_id.in_(list(event_ids)), EventStep.output.is_not(None)
        )
        outputs: dict[int, list[str]] = {}
        for event_id, output in (await self.session.execute(stmt)).all():
            if output is not None:
                outputs.setdefault(event_id, []).append(output)
        return outputs

    async def events(self, ids: Sequence[int]) -> Sequence[IntegrationEvent]:
        stmt = (
            select(IntegrationEvent).where(IntegrationEvent.id.in_(list(ids))).order_by(IntegrationEvent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- removing
    async def anonymise_events(self, ids: Sequence[int], payload: str, now: datetime) -> int:
        """The events' content replaced by `payload` (already encoded), the raw body dropped, and
        every trace of their content in steps, deliveries and dead letters removed."""
        if not ids:
            return 0
        id_list = list(ids)
        e = IntegrationEvent
        changed = await self._update(
            update(e)
            .where(e.id.in_(id_list))
            .values(
                payload=payload,
                raw_body=None,
                # the contact hashes find a person's events: gone with the content
                contact_phone_hash=None,
                contact_email_hash=None,
                anonymised_at=now,
                updated_at=now,
            )
        )
        await self._update(
            update(e).where(e.id.in_(id_list), e.last_error.is_not(None)).values(last_error=REMOVED)
        )
        # An idempotency key may be made of a phone ("first-contact:5511..."): replaced by one still
        # unique per source, so the event keeps deduplicating with nothing personal in it.
        keys = select(e.id, e.idempotency_key).where(e.id.in_(id_list))
        for event_id, key in (await self.session.execute(keys)).all():
            if mask_text(key) != key:
                await self._update(
                    update(e).where(e.id == event_id).values(idempotency_key=f"anonimizado:{event_id}")
                )
        steps = select(EventStep.id, EventStep.output).where(
            EventStep.event_id.in_(id_list), EventStep.output.is_not(None)
        )
        for step_id, output in (await self.session.execute(steps)).all():
            if output is None:
                continue
            await self._update(
                update(EventStep).where(EventStep.id == step_id).values(output=ids_only(output))
            )
        await self._update(
            update(EventStep)
            .where(EventStep.event_id.in_(id_list), EventStep.last_error.is_not(None))
            .values(last_error=REMOVED)
        )
        deliveries = select(Delivery.id).where(Delivery.event_id.in_(id_list))
        await self._update(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(deliveries))
            .values(response_excerpt=None)
        )
        await self._update(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(deliveries), DeliveryAttempt.error.is_not(None))
            .values(error=REMOVED)
        )
        await self._update(
            update(Delivery)
            .where(Delivery.event_id.in_(id_list), Delivery.last_error.is_not(None))
            .values(last_error=REMOVED)
        )
        await self._update(
            update(DeadLetter).where(DeadLetter.event_id.in_(id_list)).values(context={}, last_error=REMOVED)
        )
        await self._update(
            update(OutboundMessage)
            .where(OutboundMessage.event_id.in_(id_list), OutboundMessage.last_error.is_not(None))
            .values(last_error=REMOVED)
        )
        await self._update(
            update(FeedbackRequest)
            .where(FeedbackRequest.event_id.in_(id_list))
            .values(client_phone=None, comment=None)
        )
        return changed

    async def erase_feedback_of_phones(self, phones: Sequence[str]) -> int:
        """Feedback requests are found by the client's phone (a WhatsApp reply): erased by it too."""
        return await self._update(
            update(FeedbackRequest)
            .where(FeedbackRequest.client_phone.in_(list(phones)))
            .values(client_phone=None, comment=None)
        )

    async def _update(self, stmt: object) -> int:
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))  # type: ignore[attr-defined]
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- requests
    async def request(self, request_id: int) -> HubPrivacyRequest | None:
        return await self.session.get(HubPrivacyRequest, request_id)

    async def request_by_reference(self, kind: str, reference: str) -> HubPrivacyRequest | None:
        stmt = (
            select(HubPrivacyRequest)
            .where(HubPrivacyRequest.kind == kind, HubPrivacyRequest.reference == reference)
            .order_by(HubPrivacyRequest.id)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def requests(self, limit: int, offset: int) -> Sequence[HubPrivacyRequest]:
        stmt = select(HubPrivacyRequest).order_by(HubPrivacyRequest.id.desc())
        return await self.page_of(stmt, limit=limit, offset=offset)
