"""Queries over the inbox's personal data (contacts, messages, triage, funnel, documents, audit
trail): find what a retention step or an erasure must scrub, and scrub it.

Candidate queries walk the primary key (`after_id`, `limit`) so each batch is a short transaction.
A scope is either a cutoff (retention: older rows of ended conversations) or a list of
conversations (erasure: everything of one person, exceptions already removed by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, null, or_, select, update

from carinho.atendimento.funnel.models import DocumentDispatch, FunnelTransition
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Contact,
    Conversation,
    Message,
    MessageKind,
)
from carinho.atendimento.live import recorder as live_recorder
from carinho.atendimento.live.models import ChangeKind
from carinho.atendimento.retention.scrubbing import (
    MARKERS,
    PSEUDONYM_PHONE_PREFIX,
    REMOVED,
    pseudonym_name,
    pseudonym_phone,
    scrub_audit_value,
    scrub_extra,
)
from carinho.atendimento.triage.models import TriageAnswer, TriageSession
from carinho.kit.masking import mask_text
from carinho.kit.repository import SessionRepository

ACTIVE = sorted(s.value for s in ACTIVE_STATUSES)
CARD_KINDS = (MessageKind.location.value, MessageKind.contact.value)


@dataclass(frozen=True)
class Scope:
    cutoff: datetime | None = None
    conversation_ids: Sequence[int] | None = None

    def __post_init__(self) -> None:
        if (self.cutoff is None) == (self.conversation_ids is None):
            raise ValueError("a scope has either a cutoff or conversation ids")


class PersonalDataRepository(SessionRepository):
    async def _ids(self, stmt: Select[Any]) -> list[int]:
        return [int(i) for i in (await self.session.execute(stmt)).scalars()]

    # --- message text (content, notes, location and contact cards)
    async def message_text_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(Message.id).where(
            Message.id > after_id,
            or_(
                Message.content.is_not(None) & Message.content.notin_(MARKERS),
                Message.content.is_(None) & Message.kind.in_(CARD_KINDS),
            ),
        )
        stmt = self._scoped(stmt, scope, Message.conversation_id, Message.created_at)
        return await self._ids(stmt.order_by(Message.id).limit(limit))

    async def scrub_message_text(self, ids: Sequence[int], marker: str) -> int:
        if not ids:
            return 0
        rows = (
            await self.session.execute(
                select(Message.id, Message.extra, Message.failure_reason).where(Message.id.in_(ids))
            )
        ).all()
        await self.session.execute(
            update(Message)
            .where(Message.id.in_(ids))
            .values(content=marker)
            .execution_options(synchronize_session=False)
        )
        for message_id, extra, failure_reason in rows:
            values: dict[str, Any] = {}
            cleaned = scrub_extra(extra)
            if cleaned != (extra or {}):
                values["extra"] = cleaned
            # A provider's error may quote the number it failed to reach.
            if failure_reason and mask_text(failure_reason) != failure_reason:
                values["failure_reason"] = mask_text(failure_reason)
            if values:
                await self.session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        await live_recorder.record_messages(self.session, ChangeKind.delivery, ids)
        return len(rows)

    # --- attachments (media links, file names, captions)
    async def media_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(Message.id).where(
            Message.id > after_id,
            or_(
                Message.media_url.is_not(None),
                Message.media_file_name.is_not(None),
                Message.media_caption.is_not(None),
            ),
        )
        stmt = self._scoped(stmt, scope, Message.conversation_id, Message.created_at)
        return await self._ids(stmt.order_by(Message.id).limit(limit))

    async def scrub_media(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(Message)
            .where(Message.id.in_(ids))
            .values(media_url=None, media_file_name=None, media_caption=None)
            .execution_options(synchronize_session=False)
        )
        await live_recorder.record_messages(self.session, ChangeKind.delivery, ids)
        return len(ids)

    # --- triage answers (health conditions, addresses: sensitive)
    async def triage_answer_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = (
            select(TriageAnswer.id)
            .join(TriageSession, TriageSession.id == TriageAnswer.session_id)
            .where(TriageAnswer.id > after_id, TriageAnswer.value.is_not(None))
        )
        stmt = self._scoped(stmt, scope, TriageSession.conversation_id, TriageAnswer.answered_at)
        return await self._ids(stmt.order_by(TriageAnswer.id).limit(limit))

    async def scrub_triage_answers(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(TriageAnswer)
            .where(TriageAnswer.id.in_(ids))
            .values(value=null())  # SQL NULL, not JSON null: the candidate query then skips it
            .execution_options(synchronize_session=False)
        )
        return len(ids)

    # --- funnel notes and loss notes (agents' free text about the lead)
    async def funnel_note_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(FunnelTransition.id).where(
            FunnelTransition.id > after_id, FunnelTransition.note.is_not(None)
        )
        stmt = self._scoped(stmt, scope, FunnelTransition.conversation_id, FunnelTransition.created_at)
        return await self._ids(stmt.order_by(FunnelTransition.id).limit(limit))

    async def scrub_funnel_notes(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(FunnelTransition)
            .where(FunnelTransition.id.in_(ids))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        return len(ids)

    async def loss_note_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(Conversation.id).where(Conversation.id > after_id, Conversation.loss_note.is_not(None))
        stmt = self._scoped(stmt, scope, Conversation.id, Conversation.last_activity_at)
        return await self._ids(stmt.order_by(Conversation.id).limit(limit))

    async def scrub_loss_notes(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id.in_(ids))
            .values(loss_note=None)
            .execution_options(synchronize_session=False)
        )
        live_recorder.record(self.session, ChangeKind.conversation, ids)
        return len(ids)

    # --- e-mailed documents: text (message_text), link (attachments)
    async def document_text_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(DocumentDispatch.id).where(
            DocumentDispatch.id > after_id, DocumentDispatch.body.notin_(MARKERS)
        )
        stmt = self._scoped(stmt, scope, DocumentDispatch.conversation_id, DocumentDispatch.created_at)
        return await self._ids(stmt.order_by(DocumentDispatch.id).limit(limit))

    async def scrub_document_text(self, ids: Sequence[int], marker: str) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(DocumentDispatch)
            .where(DocumentDispatch.id.in_(ids))
            .values(subject=marker, body=marker, error=None)
            .execution_options(synchronize_session=False)
        )
        return len(ids)

    async def document_link_candidates(self, scope: Scope, after_id: int, limit: int) -> list[int]:
        stmt = select(DocumentDispatch.id).where(
            DocumentDispatch.id > after_id, DocumentDispatch.document_url.is_not(None)
        )
        stmt = self._scoped(stmt, scope, DocumentDispatch.conversation_id, DocumentDispatch.created_at)
        return await self._ids(stmt.order_by(DocumentDispatch.id).limit(limit))

    async def scrub_document_links(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        await self.session.execute(
            update(DocumentDispatch)
            .where(DocumentDispatch.id.in_(ids))
            .values(document_url=None)
            .execution_options(synchronize_session=False)
        )
        return len(ids)

    # --- contacts
    async def contact_candidates(self, cutoff: datetime, after_id: int, limit: int) -> list[int]:
        """Contacts not yet pseudonymised, with nothing after the cutoff and no active conversation."""
        recent = select(Conversation.id).where(
            Conversation.contact_id == Contact.id,
            or_(Conversation.status.in_(ACTIVE), Conversation.last_activity_at >= cutoff),
        )
        stmt = (
            select(Contact.id)
            .where(
                Contact.id > after_id,
                Contact.phone.not_like(f"{PSEUDONYM_PHONE_PREFIX}%"),
                Contact.created_at < cutoff,
                or_(Contact.last_inbound_at.is_(None), Contact.last_inbound_at < cutoff),
                ~recent.exists(),
            )
            .order_by(Contact.id)
            .limit(limit)
        )
        return await self._ids(stmt)

    async def pseudonymise_contacts(self, ids: Sequence[int]) -> int:
        for contact_id in ids:
            await self.session.execute(
                update(Contact)
                .where(Contact.id == contact_id)
                .values(
                    phone=pseudonym_phone(contact_id),
                    name=pseudonym_name(contact_id),
                    email=None,
                    crm_lead_id=None,
                )
                .execution_options(synchronize_session=False)
            )
        if ids:
            conversations = select(Conversation.id).where(Conversation.contact_id.in_(ids))
            await self.session.execute(
                update(DocumentDispatch)
                .where(DocumentDispatch.conversation_id.in_(conversations.scalar_subquery()))
                .values(email=REMOVED)
                .execution_options(synchronize_session=False)
            )
        return len(ids)

    # --- audit trail
    async def history_after(
        self, through_at: datetime | None, through_id: int, cutoff: datetime, limit: int
    ) -> Sequence[HistoryEntry]:
        """Entries created before the cutoff, after (through_at, through_id), oldest first."""
        stmt = select(HistoryEntry).where(HistoryEntry.created_at < cutoff)
        if through_at is not None:
            stmt = stmt.where(
                or_(
                    HistoryEntry.created_at > through_at,
                    (HistoryEntry.created_at == through_at) & (HistoryEntry.id > through_id),
                )
            )
        stmt = stmt.order_by(HistoryEntry.created_at, HistoryEntry.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def history_of(
        self, conversation_ids: Sequence[int], after_id: int, limit: int
    ) -> Sequence[HistoryEntry]:
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.conversation_id.in_(conversation_ids), HistoryEntry.id > after_id)
            .order_by(HistoryEntry.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def active_conversation_ids(self, conversation_ids: Sequence[int]) -> set[int]:
        if not conversation_ids:
            return set()
        stmt = select(Conversation.id).where(
            Conversation.id.in_(conversation_ids), Conversation.status.in_(ACTIVE)
        )
        return set(await self._ids(stmt))

    async def scrub_history(self, entries: Sequence[HistoryEntry]) -> int:
        """Scrub the personal values of these entries; returns how many changed.

        The trail is append-only for the application (ORM events refuse updates); this is the one
        deliberate exception, a Core UPDATE that the LGPD requires, keeping who/what/when."""
        table = cast(Table, HistoryEntry.__table__)
        changed = 0
        for entry in entries:
            values: dict[str, Any] = {}
            for column in ("before", "after", "details"):
                current = getattr(entry, column)
                if current is None:
                    continue
                scrubbed = scrub_audit_value(current)
                if scrubbed != current:
                    values[column] = scrubbed
            if values:
                await self.session.execute(update(table).where(table.c.id == entry.id).values(**values))
                changed += 1
        for entry in entries:
            self.session.expunge(entry)
        return changed

    # --- helpers
    @staticmethod
    def _scoped(
        stmt: Select[Any], scope: Scope, conversation_column: Any, created_column: Any
    ) -> Select[Any]:
        if scope.conversation_ids is not None:
            return stmt.where(conversation_column.in_(scope.conversation_ids))
        assert scope.cutoff is not None
        ended = select(Conversation.id).where(Conversation.status.notin_(ACTIVE))
        return stmt.where(created_column < scope.cutoff, conversation_column.in_(ended.scalar_subquery()))
