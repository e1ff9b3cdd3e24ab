"""The JSON a data subject receives: everything held about them, grouped by contact and
conversation, plus each registered source's section."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.service import ACTION_LABELS
from carinho.atendimento.inbox.models import Contact
from carinho.atendimento.retention import registry
from carinho.atendimento.retention.subject_repository import SubjectRepository

EXPORT_FORMAT = "carinho.atendimento.export/1"
# One kind of row of the given conversations (the subject repository's queries).
Fetch = Callable[[list[int]], Awaitable[Sequence[Any]]]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _message(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "direction": m.direction,
        "kind": m.kind,
        "internal_note": m.private,
        "sender_type": m.sender_type,
        "text": m.content,
        "media_url": m.media_url,
        "media_file_name": m.media_file_name,
        "media_caption": m.media_caption,
        "media_mime_type": m.media_mime_type,
        "extra": m.extra or {},
        "delivery_status": m.delivery_status,
        "created_at": _iso(m.created_at),
    }


def _triage_answer(row: Any) -> dict[str, Any]:
    return {
        "question": row.code,
        "question_text": row.text,
        "answer": row.value,
        "answered_at": _iso(row.answered_at),
        "triage_status": row.status,
        "triage_outcome": row.outcome,
    }


def _funnel_move(t: Any) -> dict[str, Any]:
    return {
        "from_stage": t.from_stage,
        "to_stage": t.to_stage,
        "loss_reason_id": t.loss_reason_id,
        "note": t.note,
        "created_at": _iso(t.created_at),
    }


def _document(d: Any) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "email": d.email,
        "subject": d.subject,
        "body": d.body,
        "document_url": d.document_url,
        "status": d.status,
        "created_at": _iso(d.created_at),
        "sent_at": _iso(d.sent_at),
    }


def _history_entry(e: Any) -> dict[str, Any]:
    return {
        "action": e.action,
        "action_label": ACTION_LABELS.get(e.action, e.action),
        "actor_type": e.actor_type,
        "actor_name": e.actor_name,
        "before": e.before,
        "after": e.after,
        "details": e.details,
        "created_at": _iso(e.created_at),
    }


async def _per_conversation(
    repo: SubjectRepository, conversation_ids: list[int]
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Each conversation's rows of every kind, under the kind's name in the export."""
    sections: list[tuple[str, Fetch, Callable[[Any], dict[str, Any]]]] = [
        ("messages", repo.messages, _message),
        ("triage", repo.triage_answers, _triage_answer),
        ("funnel", repo.funnel_transitions, _funnel_move),
        ("documents", repo.documents, _document),
        ("history", repo.history, _history_entry),
    ]
    grouped: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name, fetch, shape in sections:
        grouped[name] = defaultdict(list)
        for row in await fetch(conversation_ids) if conversation_ids else []:
            grouped[name][row.conversation_id].append(shape(row))
    return grouped


def _conversation(c: Any, grouped: dict[str, dict[int, list[dict[str, Any]]]]) -> dict[str, Any]:
    return {
        "id": c.id,
        "status": c.status,
        "priority": c.priority,
        "level": c.level,
        "funnel_stage": c.funnel_stage,
        "loss_note": c.loss_note,
        "assignee": c.assignee.name if c.assignee else None,
        "labels": [label.name for label in c.labels],
        "created_at": _iso(c.created_at),
        "last_activity_at": _iso(c.last_activity_at),
        "resolved_at": _iso(c.resolved_at),
        "closed_at": _iso(c.closed_at),
        **{name: rows.get(c.id, []) for name, rows in grouped.items()},
    }


def _contact(contact: Contact, conversations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": contact.id,
        "phone": contact.phone,
        "name": contact.name,
        "email": contact.email,
        "crm_lead_id": contact.crm_lead_id,
        "created_at": _iso(contact.created_at),
        "last_inbound_at": _iso(contact.last_inbound_at),
        "conversations": conversations,
    }


async def build_export(
    session: AsyncSession, contacts: Sequence[Contact], *, request_id: int, generated_at: datetime
) -> dict[str, Any]:
    repo = SubjectRepository(session)
    contact_ids = [c.id for c in contacts]
    conversations = await repo.conversations(contact_ids) if contact_ids else []
    grouped = await _per_conversation(repo, [c.id for c in conversations])
    conversations_by_contact: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in conversations:
        conversations_by_contact[c.contact_id].append(_conversation(c, grouped))
    sources: dict[str, list[dict[str, Any]]] = {}
    for source in sorted(registry.sources(), key=lambda s: s.name):
        sources[source.name] = await source.export(session, contact_ids) if contact_ids else []
    return {
        "format": EXPORT_FORMAT,
        "request_id": request_id,
        "generated_at": generated_at.isoformat(),
        "controller": "Carinho com Você",
        "contacts": [_contact(c, conversations_by_contact.get(c.id, [])) for c in contacts],
        "sources": sources,
    }
