"""Helpers for retention tests: a lead with personal data in every place the inbox keeps it, a
personal-data source defined here and registered like a package's, and the retention jobs run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import history_service
from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.atendimento.retention import registry
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.executor import run_outbox_message
from carinho.worker.models import OutboxStatus
from tests.atendimento.conftest import Api, fixture, freeze_at, post_webhook, received

# A Tuesday 10:00 in São Paulo, three and a half years before "now" (OPEN_INSTANT, 2026-12-01).
OLD = datetime(2023, 6, 6, 13, 0, tzinfo=UTC)
# A Tuesday two months before now: inside every retention period.
RECENT = datetime(2026, 10, 6, 13, 0, tzinfo=UTC)
SECRET_TEXT = "Minha mãe tem Alzheimer, moramos na Rua das Flores 12"


@dataclass
class FakeSource:
    """A package's personal data, as the protocol sees it: records every call."""

    name: str = "fake_test"
    anonymised: list[tuple[str, datetime]] = field(default_factory=list)
    erased: list[list[int]] = field(default_factory=list)

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        return [{"contact_id": cid, "comment": f"comentário do contato {cid}"} for cid in contact_ids]

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        self.erased.append(sorted(contact_ids))
        return len(contact_ids)

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        self.anonymised.append((data_class, before))
        return 0


@pytest.fixture
def fake_source() -> Iterator[FakeSource]:
    source = FakeSource()
    registry.register(source)
    try:
        yield source
    finally:
        registry._sources.pop(source.name, None)


async def lead(
    rt: Runtime,
    client: httpx.AsyncClient,
    staff: Api,
    phone: str,
    tag: str,
    *,
    at: datetime,
    name: str = "Maria Souza",
    email: str | None = None,
    resolve: bool = True,
) -> int:
    """A conversation holding personal data everywhere: text, image, location, triage answers,
    a funnel note, a label, an internal note, a free-text audit value, the contact's name/e-mail."""
    freeze_at(at)
    first = await post_webhook(client, received(f"{tag}-1", phone=phone, text=f"{SECRET_TEXT} ({tag})"))
    assert first.status_code == 200, first.text
    conversation_id = int(first.json()["conversation_id"])
    image = fixture("received_image")
    image.update(messageId=f"{tag}-2", phone=phone)
    image["image"] = {**image["image"], "imageUrl": f"https://media.example/{tag}.jpg", "caption": "receita"}
    assert (await post_webhook(client, image)).status_code == 200
    location = fixture("received_location")
    location.update(messageId=f"{tag}-3", phone=phone)
    location["location"] = {**location["location"], "address": "Rua das Flores 12"}
    assert (await post_webhook(client, location)).status_code == 200
    base = f"/api/conversations/{conversation_id}"
    contact = {"name": name, **({"email": email} if email else {})}
    assert (await staff.patch(f"{base}/contact", json=contact)).status_code == 200
    triage = await staff.post(
        f"{base}/triage", json={"answers": {"idade": 82, "detalhes_saude": "Alzheimer"}}
    )
    assert triage.status_code == 200, triage.text
    conversation = (await staff.get(base)).json()
    if conversation["funnel_stage"] == "new":
        moved = await staff.post(
            f"{base}/funnel", json={"stage": "in_service", "note": "Filha pede orçamento"}
        )
        assert moved.status_code == 200, moved.text
    label_id = (await staff.get("/api/labels")).json()[0]["id"]
    assert (await staff.post(f"{base}/labels", json={"label_id": label_id})).status_code == 200
    assert (
        await staff.post(f"{base}/notes", json={"text": f"Nota: {name} prefere a tarde"})
    ).status_code == 201
    async with rt.db("atendimento").session() as session:
        # Free text in an audit entry, as escalation and incidents record their reasons.
        history_service.record(
            session,
            "conversation.escalated",
            Actor.system(),
            conversation_id=conversation_id,
            before={"level": "N1"},
            after={"level": "N2"},
            details={"reason": f"{name} ligou do {phone}", "rule_id": 7},
        )
        await session.commit()
    if resolve:
        resolved = await staff.patch(base, json={"status": "resolved"})
        assert resolved.status_code == 200, resolved.text
    return conversation_id


async def snapshot(rt: Runtime) -> dict[str, Any]:
    """What aggregates and metrics count: messages per conversation, statuses, timestamps."""
    async with rt.db("atendimento").session() as session:
        per_conversation = dict(
            (
                await session.execute(
                    select(Message.conversation_id, func.count()).group_by(Message.conversation_id)
                )
            ).all()
        )
        conversations = {
            c.id: (c.status, c.funnel_stage, c.created_at, c.resolved_at, c.last_activity_at)
            for c in (await session.execute(select(Conversation))).scalars()
        }
        messages = {
            m.id: (m.direction, m.kind, m.delivery_status, m.created_at, m.media_mime_type)
            for m in (await session.execute(select(Message))).scalars()
        }
        contacts = int((await session.execute(select(func.count()).select_from(Contact))).scalar_one())
    return {
        "per_conversation": per_conversation,
        "conversations": conversations,
        "messages": messages,
        "contacts": contacts,
    }


async def run_retention_jobs(rt: Runtime) -> int:
    """Run the retention package's due jobs (and those they enqueue) in this loop; other jobs
    (welcome messages, CRM sync) are left queued: they are not what these tests are about."""
    model = rt.spec("atendimento").outbox
    ran = 0
    for _ in range(500):
        async with rt.db("atendimento").session() as session:
            due = list(
                (
                    await session.execute(
                        select(model.id)
                        .where(
                            model.status == OutboxStatus.pending.value,
                            model.job.like("atendimento.retention%"),
                            model.available_at <= utcnow(),
                        )
                        .order_by(model.id)
                    )
                ).scalars()
            )
        if not due:
            return ran
        for outbox_id in due:
            await run_outbox_message("atendimento", outbox_id)
            ran += 1
    raise AssertionError("retention jobs keep re-enqueueing")
