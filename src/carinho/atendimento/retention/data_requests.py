"""Data-subject requests (LGPD Art. 18): export everything held about a person, or erase it
now, except what a configured legal exception keeps. Both stored as a request row and audited."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import ActorType
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import Contact
from carinho.atendimento.retention import hub_erase, registry
from carinho.atendimento.retention.export import build_export
from carinho.atendimento.retention.models import PrivacyRequest, RequestKind, RequestStatus
from carinho.atendimento.retention.personal_data_repository import PersonalDataRepository, Scope
from carinho.atendimento.retention.repository import RetentionRepository
from carinho.atendimento.retention.scrubbing import ERASURE_MARKER
from carinho.atendimento.retention.service import months_before, retention_service
from carinho.atendimento.retention.subject_repository import SubjectRepository
from carinho.errors import NotFound
from carinho.kit.clock import utcnow
from carinho.kit.data_subject import Subject
from carinho.kit.data_subject import subject_of as parse_subject
from carinho.logging import get_logger

log = get_logger(__name__)

CLI_ACTOR = Actor.cli()
ERASE_BATCH = 500

KEPT_EXPLANATIONS = {
    "active_conversation": "Conversa em andamento: o atendimento ao titular ainda está em curso.",
    "open_incident": (
        "Ocorrência aberta vinculada à conversa (exercício regular de direitos, LGPD art. 7º, VI e 16, I)."
    ),
    "contract": "Conversa vinculada a contrato, dentro do prazo legal de guarda (LGPD art. 16, I).",
    "linked_to_kept_records": "Dados do contato mantidos porque há conversas retidas por exceção legal.",
}


def subject_of(phone: str | None, email: str | None) -> Subject:
    """atendimento knows its contacts by phone and e-mail (no CPF)."""
    return parse_subject(phone, email)


def requester_fields(actor: Actor) -> dict[str, Any]:
    return {
        "requester_type": "agent" if actor.type is ActorType.agent else actor.name,
        "requester_id": actor.id,
        "requester_name": actor.name[:120],
    }


Scrub = tuple[
    str,
    Callable[[PersonalDataRepository, Scope, int, int], Awaitable[list[int]]],
    Callable[[PersonalDataRepository, Sequence[int]], Awaitable[int]],
]


async def _text(repo: PersonalDataRepository, ids: Sequence[int]) -> int:
    return await repo.scrub_message_text(ids, ERASURE_MARKER)


async def _document_text(repo: PersonalDataRepository, ids: Sequence[int]) -> int:
    return await repo.scrub_document_text(ids, ERASURE_MARKER)


R = PersonalDataRepository
ERASE_SCRUBS: list[Scrub] = [
    ("messages", R.message_text_candidates, _text),
    ("attachments", R.media_candidates, R.scrub_media),
    ("triage_answers", R.triage_answer_candidates, R.scrub_triage_answers),
    ("funnel_notes", R.funnel_note_candidates, R.scrub_funnel_notes),
    ("loss_notes", R.loss_note_candidates, R.scrub_loss_notes),
    ("documents", R.document_text_candidates, _document_text),
    ("document_links", R.document_link_candidates, R.scrub_document_links),
]


class DataRequestService:
    async def find_contacts(self, session: AsyncSession, subject: Subject) -> Sequence[Contact]:
        repo = SubjectRepository(session)
        if subject.kind == "phone":
            return await repo.contacts_by_phones(list(subject.phones))
        assert subject.email is not None
        return await repo.contacts_by_email(subject.email)

    async def export(
        self, session: AsyncSession, actor: Actor, *, phone: str | None, email: str | None, reason: str
    ) -> PrivacyRequest:
        subject = subject_of(phone, email)
        contacts = await self.find_contacts(session, subject)
        request = await self._new_request(session, RequestKind.export, subject, actor, reason, contacts)
        now = utcnow()
        data = await build_export(session, contacts, request_id=request.id, generated_at=now)
        # Sources hand back "JSON-ready" data; make sure of it before it reaches a JSON column.
        data = json.loads(json.dumps(data, default=str))
        ttl = (await retention_service.config(session)).settings.export_ttl_days
        conversations = sum(len(c["conversations"]) for c in data["contacts"])
        messages = sum(len(v["messages"]) for c in data["contacts"] for v in c["conversations"])
        request.export_data = data
        request.export_expires_at = now + timedelta(days=ttl)
        request.status = RequestStatus.completed.value if contacts else RequestStatus.no_data.value
        request.result = {
            "contacts": len(contacts),
            "conversations": conversations,
            "messages": messages,
            "sources": {name: len(rows) for name, rows in data["sources"].items()},
            "expires_at": request.export_expires_at.isoformat(),
        }
        request.completed_at = now
        history_service.record(
            session,
            Action.data_exported,
            actor,
            details={"request_id": request.id, "subject": subject.masked, **request.result},
        )
        log.info("atendimento.privacy_export", request_id=request.id, contacts=len(contacts))
        return request

    async def erase(
        self, session: AsyncSession, actor: Actor, *, phone: str | None, email: str | None, reason: str
    ) -> PrivacyRequest:
        subject = subject_of(phone, email)
        contacts = await self.find_contacts(session, subject)
        request = await self._new_request(session, RequestKind.erase, subject, actor, reason, contacts)
        contact_ids = [c.id for c in contacts]
        conversations = await SubjectRepository(session).conversations(contact_ids) if contact_ids else []
        kept = await self._kept_conversations(session, contact_ids)
        erasable = [c.id for c in conversations if c.id not in kept]
        counts = await self._scrub_conversations(session, erasable)
        kept_contacts = sorted({c.contact_id for c in conversations if c.id in kept})
        pseudonymised = [i for i in contact_ids if i not in kept_contacts]
        counts["contacts"] = await PersonalDataRepository(session).pseudonymise_contacts(pseudonymised)
        sources = (
            {s.name: await s.erase(session, contact_ids) for s in registry.sources()} if contact_ids else {}
        )
        discarded = await self._discard_exports(session, set(contact_ids), request.id)
        now = utcnow()
        request.status = (
            RequestStatus.no_data.value
            if not contacts
            else RequestStatus.completed_with_exceptions.value
            if kept
            else RequestStatus.completed.value
        )
        request.result = {
            "contacts": len(contacts),
            "conversations": len(conversations),
            "erased": counts,
            "erased_conversations": erasable,
            "kept": [
                {"conversation_id": cid, "reason": reason_code, "explanation": KEPT_EXPLANATIONS[reason_code]}
                for cid, reason_code in sorted(kept.items())
            ],
            "kept_contacts": [
                {
                    "contact_id": cid,
                    "reason": "linked_to_kept_records",
                    "explanation": KEPT_EXPLANATIONS["linked_to_kept_records"],
                }
                for cid in kept_contacts
            ],
            "sources": sources,
            "exports_discarded": discarded,
        }
        request.completed_at = now
        await hub_erase.pass_on(session, request, subject, actor)
        summary = {"request_id": request.id, "subject": subject.masked}
        for conversation_id in erasable:
            history_service.record(
                session, Action.data_erased, actor, conversation_id=conversation_id, details=summary
            )
        history_service.record(
            session,
            Action.data_erased,
            actor,
            details={**summary, "erased": counts, "kept": request.result["kept"], "sources": sources},
        )
        log.info("atendimento.privacy_erase", request_id=request.id, contacts=len(contacts), kept=len(kept))
        return request

    async def _kept_conversations(self, session: AsyncSession, contact_ids: list[int]) -> dict[int, str]:
        """conversation id → the exception that keeps it (the first that applies)."""
        if not contact_ids:
            return {}
        settings = (await retention_service.config(session)).settings
        repo = SubjectRepository(session)
        kept: dict[int, str] = {}
        if settings.keep_active_conversations:
            for cid in await repo.active_conversations(contact_ids):
                kept.setdefault(cid, "active_conversation")
        if settings.keep_open_incidents:
            for cid in await repo.open_incident_conversations(contact_ids) or []:
                kept.setdefault(cid, "open_incident")
        if settings.keep_contracts:
            since = months_before(utcnow(), settings.contract_retention_months)
            for cid in await repo.contract_conversations(contact_ids, since):
                kept.setdefault(cid, "contract")
        return kept

    async def _scrub_conversations(
        self, session: AsyncSession, conversation_ids: list[int]
    ) -> dict[str, int]:
        repo = PersonalDataRepository(session)
        counts = {name: 0 for name, _, _ in ERASE_SCRUBS}
        counts["history_entries"] = 0
        if not conversation_ids:
            return counts
        scope = Scope(conversation_ids=conversation_ids)
        for name, candidates, apply in ERASE_SCRUBS:
            after_id = 0
            while ids := await candidates(repo, scope, after_id, ERASE_BATCH):
                counts[name] += await apply(repo, ids)
                after_id = ids[-1]
        after_id = 0
        while entries := await repo.history_of(conversation_ids, after_id, ERASE_BATCH):
            after_id = entries[-1].id
            counts["history_entries"] += await repo.scrub_history(entries)
        return counts

    async def _discard_exports(self, session: AsyncSession, contact_ids: set[int], request_id: int) -> int:
        """Earlier exports of this person are personal data too: dropped with the rest."""
        discarded = 0
        for earlier in await RetentionRepository(session).requests_holding_exports():
            if earlier.id != request_id and contact_ids & set(earlier.contact_ids or []):
                earlier.export_data = None
                discarded += 1
        return discarded

    async def _new_request(
        self,
        session: AsyncSession,
        kind: RequestKind,
        subject: Subject,
        actor: Actor,
        reason: str,
        contacts: Sequence[Contact],
    ) -> PrivacyRequest:
        request = PrivacyRequest(
            kind=kind.value,
            status="processing",
            subject_type=subject.kind,
            subject_masked=subject.masked,
            reason=reason.strip(),
            contact_ids=[c.id for c in contacts],
            result={},
            **requester_fields(actor),
        )
        RetentionRepository(session).add(request)
        await session.flush()
        return request

    # --- reading
    async def list(
        self, session: AsyncSession, *, kind: RequestKind | None = None, limit: int = 50, offset: int = 0
    ) -> Sequence[PrivacyRequest]:
        return await RetentionRepository(session).requests(kind.value if kind else None, limit, offset)

    async def get(self, session: AsyncSession, request_id: int) -> PrivacyRequest:
        request = await RetentionRepository(session).request(request_id)
        if request is None:
            raise NotFound("Solicitação de titular não encontrada.")
        return request

    async def download(self, session: AsyncSession, actor: Actor, request_id: int) -> dict[str, Any]:
        request = await self.get(session, request_id)
        if request.kind != RequestKind.export.value:
            raise NotFound("Esta solicitação não é uma exportação.")
        if request.export_data is None:
            raise NotFound("A exportação expirou ou foi descartada: crie uma nova solicitação.")
        history_service.record(
            session, Action.data_exported, actor, details={"request_id": request.id, "downloaded": True}
        )
        return request.export_data


data_request_service = DataRequestService()
