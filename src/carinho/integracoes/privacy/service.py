"""The hub's retention and data-subject requests.

Retention: a daily run anonymises, in batches, the events settled (processed or ignored) more than
`INTEGRACOES_EVENT_RETENTION_DAYS` days ago — payload, raw body, errors, step outputs (ids kept),
delivery responses, dead-letter context — keeping ids, source, type, times and statuses. Running
it again changes nothing more.

Data-subject requests: find every event whose payload, raw body or step outputs hold a phone,
e-mail or CPF; export them, or erase them (the same anonymisation, whatever the event's age or
status). Each request is a row, the subject masked. Payloads may be encrypted at rest, so the search
reads the events not yet anonymised, batch by batch: retention keeps that set to N days of traffic.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import NotFound
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.events.repository import decode_raw_body
from carinho.integracoes.events.service import event_service
from carinho.integracoes.privacy.models import HubPrivacyRequest, HubRequestKind
from carinho.integracoes.privacy.repository import PrivacyRepository
from carinho.kit.clock import utcnow
from carinho.kit.crypto import PayloadCipher
from carinho.kit.data_subject import Subject
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

RETENTION_JOB = "integracoes.retention_batch"
BATCH_SIZE = 500


def anonymised_payload(reason: str, at: str) -> dict[str, Any]:
    """What an anonymised event's payload reads."""
    return {"anonimizado": True, "motivo": reason, "em": at}


class HubPrivacyService:
    # --- retention
    def retention_days(self) -> int:
        from carinho import runtime

        return int(runtime.current().settings.integracoes_event_retention_days)

    async def retention_batch(
        self, session: AsyncSession, *, cutoff: str | None = None, after_id: int = 0, total: int = 0
    ) -> int:
        """Anonymise one batch of expired events; enqueue the next batch while some remain. Returns
        how many events this batch changed."""
        days = self.retention_days()
        if days <= 0:
            return 0
        now = utcnow()
        before = now - timedelta(days=days) if cutoff is None else datetime.fromisoformat(cutoff)
        repo = PrivacyRepository(session)
        ids = await repo.expired_events(before, after_id, BATCH_SIZE)
        changed = await self._anonymise(session, ids, "retention")
        total += changed
        if len(ids) == BATCH_SIZE:
            await enqueue(
                session,
                RETENTION_JOB,
                {"cutoff": before.isoformat(), "after_id": ids[-1], "total": total},
                dedupe_key=f"integracoes:retention:{before.isoformat()}:{ids[-1]}",
            )
        else:
            log.info("integracoes.retention_done", cutoff=before.isoformat(), anonymised=total)
        return changed

    async def _anonymise(self, session: AsyncSession, ids: Sequence[int], reason: str) -> int:
        if not ids:
            return 0
        now = utcnow()
        text = json.dumps(anonymised_payload(reason, now.isoformat()), ensure_ascii=False)
        payload = event_service.cipher().encrypt(text)
        return await PrivacyRepository(session).anonymise_events(ids, payload, now)

    # --- data-subject requests
    async def find_events(self, session: AsyncSession, subject: Subject) -> list[int]:
        """Ids of the events (not anonymised yet) that hold this person's identifier."""
        repo = PrivacyRepository(session)
        cipher = event_service.cipher()
        found: list[int] = []
        after_id = 0
        while batch := await repo.events_with_content(after_id, BATCH_SIZE):
            after_id = batch[-1].id
            outputs = await repo.step_outputs([e.id for e in batch])
            for stored in batch:
                documents = [_payload(cipher, stored.payload), _raw(cipher, stored.raw_body)]
                documents += [_json(o) for o in outputs.get(stored.id, [])]
                if any(subject.appears_in(d) for d in documents if d is not None):
                    found.append(stored.id)
        return found

    async def export(
        self, session: AsyncSession, key: ApiKey, subject: Subject, *, reason: str, reference: str | None
    ) -> tuple[HubPrivacyRequest, list[dict[str, Any]]]:
        ids = await self.find_events(session, subject)
        events = [await event_service.detail(session, event_id) for event_id in ids]
        data = [e.model_dump(mode="json") for e in events]
        request = await self._record(
            session,
            HubRequestKind.export,
            key,
            subject,
            reason=reason,
            reference=reference,
            result={"events": len(data), "event_ids": ids},
        )
        return request, data

    async def erase(
        self, session: AsyncSession, key: ApiKey, subject: Subject, *, reason: str, reference: str | None
    ) -> HubPrivacyRequest:
        ids = await self.find_events(session, subject)
        erased = await self._anonymise(session, ids, "erase")
        feedback = (
            await PrivacyRepository(session).erase_feedback_of_phones(subject.phones) if subject.phones else 0
        )
        earlier = (
            await PrivacyRepository(session).request_by_reference(HubRequestKind.erase, reference)
            if reference
            else None
        )
        previous_ids = list(earlier.result.get("event_ids", [])) if earlier is not None else []
        request = await self._record(
            session,
            HubRequestKind.erase,
            key,
            subject,
            reason=reason,
            reference=reference,
            result={
                "events": len(set(previous_ids) | set(ids)),
                "event_ids": sorted(set(previous_ids) | set(ids)),
                "erased_now": erased,
                "feedback_requests": feedback,
            },
        )
        log.info("integracoes.privacy_erase", request_id=request.id, events=erased)
        return request

    async def _record(
        self,
        session: AsyncSession,
        kind: HubRequestKind,
        key: ApiKey,
        subject: Subject,
        *,
        reason: str,
        reference: str | None,
        result: dict[str, Any],
    ) -> HubPrivacyRequest:
        repo = PrivacyRepository(session)
        now = utcnow()
        request = await repo.request_by_reference(kind.value, reference) if reference else None
        if request is None:
            request = repo.add(
                HubPrivacyRequest(
                    kind=kind.value,
                    subject_type=subject.kind,
                    subject_masked=subject.masked,
                    reason=reason.strip(),
                    reference=reference,
                    api_key_id=key.id,
                    api_key_name=key.name[:120],
                    calls=0,
                )
            )
        request.calls = (request.calls or 0) + 1
        request.status = "completed" if result.get("events") else "no_data"
        request.result = result
        request.completed_at = now
        await session.flush()
        return request

    async def get(self, session: AsyncSession, request_id: int) -> HubPrivacyRequest:
        request = await PrivacyRepository(session).request(request_id)
        if request is None:
            raise NotFound(f"privacy request {request_id} not found")
        return request

    async def list(self, session: AsyncSession, limit: int, offset: int) -> Sequence[HubPrivacyRequest]:
        return await PrivacyRepository(session).requests(limit, offset)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _payload(cipher: PayloadCipher, stored: str) -> Any:
    return _json(cipher.decrypt(stored))


def _raw(cipher: PayloadCipher, stored: str | None) -> Any:
    raw = decode_raw_body(cipher, stored)
    return None if raw is None else _json(raw.decode("utf-8", errors="replace"))


hub_privacy_service = HubPrivacyService()
