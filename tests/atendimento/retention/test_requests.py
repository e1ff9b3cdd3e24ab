"""Data-subject requests (an administrator's): the export holds everything about the person
(registered sources included), the erasure scrubs everything but what a configured legal exception
keeps, both audited."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.models import Contact, Message
from carinho.atendimento.retention.scrubbing import ERASURE_MARKER, REMOVED
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at, post_webhook, received
from tests.atendimento.retention.conftest import RECENT, SECRET_TEXT, FakeSource, lead, snapshot

PHONE = "5511966660001"


async def request(staff: Api, kind: str, **subject: str) -> dict:
    response = await staff.post(
        "/api/privacy/requests",
        json={"kind": kind, "reason": "Pedido do titular por e-mail, protocolo 42", **subject},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def messages_of(rt: Runtime, conversation_id: int) -> list[Message]:
    async with rt.db("atendimento").session() as session:
        return list(
            (
                await session.execute(
                    select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
                )
            ).scalars()
        )


async def trail(rt: Runtime, action: str) -> list[HistoryEntry]:
    async with rt.db("atendimento").session() as session:
        return list(
            (
                await session.execute(
                    select(HistoryEntry).where(HistoryEntry.action == action).order_by(HistoryEntry.id)
                )
            ).scalars()
        )


async def test_the_export_holds_everything_about_the_person(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, fake_source: FakeSource
) -> None:
    admin = await make_agent(Role.admin, name="Sônia Administradora")
    first = await lead(seeded, atendimento, admin, PHONE, "X1", at=RECENT, email="maria@example.com")
    second = await lead(seeded, atendimento, admin, PHONE, "X2", at=OPEN_INSTANT, resolve=False)
    await lead(seeded, atendimento, admin, "5511966660002", "OTHER", at=RECENT, name="João")
    freeze_at(OPEN_INSTANT)

    created = await request(admin, "export", phone="(11) 96666-0001")

    assert created["status"] == "completed" and created["export_available"] is True
    assert created["subject_masked"] == "5511*****01" and PHONE not in str(created)
    assert created["requester_type"] == "agent" and created["requester_name"] == "Sônia Administradora"
    assert created["result"]["conversations"] == 2 and created["result"]["sources"]["fake_test"] == 1
    download = await admin.get(f"/api/privacy/requests/{created['id']}/export.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    [contact] = data["contacts"]
    assert (contact["phone"], contact["name"], contact["email"]) == (
        PHONE,
        "Maria Souza",
        "maria@example.com",
    )
    assert [c["id"] for c in contact["conversations"]] == [first, second]
    conversation = contact["conversations"][0]
    texts = [m["text"] for m in conversation["messages"]]
    assert f"{SECRET_TEXT} (X1)" in texts and "Nota: Maria Souza prefere a tarde" in texts
    assert any(m["media_url"] == "https://media.example/X1.jpg" for m in conversation["messages"])
    assert any(m["extra"].get("location", {}).get("address") for m in conversation["messages"])
    assert conversation["labels"] == [(await admin.get("/api/labels")).json()[0]["name"]]
    answers = {a["question"]: a["answer"] for a in conversation["triage"]}
    assert answers == {"idade": 82, "detalhes_saude": "Alzheimer"}
    assert [f["note"] for f in conversation["funnel"]] == ["Filha pede orçamento"]
    actions = {h["action"] for h in conversation["history"]}
    assert {
        "conversation.created",
        "message.received",
        "triage.answered",
        "conversation.escalated",
    } <= actions
    assert data["sources"]["fake_test"] == [
        {"contact_id": contact["id"], "comment": f"comentário do contato {contact['id']}"}
    ]
    assert "João" not in download.text

    by_email = await request(admin, "export", email="Maria@Example.COM")
    assert by_email["contact_ids"] == [contact["id"]]

    [exported, downloaded, _] = await trail(seeded, Action.data_exported)
    assert exported.actor_id == admin.agent_id and exported.details["request_id"] == created["id"]
    assert exported.details["subject"] == "5511*****01"
    assert downloaded.details == {"request_id": created["id"], "downloaded": True}


async def test_a_phone_without_the_ninth_digit_finds_the_same_person(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    freeze_at(OPEN_INSTANT)
    assert (await post_webhook(atendimento, received("N9", phone="551187770001"))).status_code == 200
    found = await request(admin, "export", phone="+55 (11) 98777-0001")
    assert found["status"] == "completed" and len(found["contact_ids"]) == 1
    nobody = await request(admin, "export", phone="(21) 3333-4444")
    assert nobody["status"] == "no_data" and nobody["contact_ids"] == []


async def test_erase_scrubs_everything_but_the_legal_exceptions(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, fake_source: FakeSource
) -> None:
    admin = await make_agent(Role.admin)
    plain = await lead(seeded, atendimento, admin, PHONE, "E1", at=RECENT, email="maria@example.com")
    contract = await lead(seeded, atendimento, admin, PHONE, "E2", at=RECENT, resolve=False)
    for stage in ("qualified", "proposal_sent", "won"):
        moved = await admin.post(f"/api/conversations/{contract}/funnel", json={"stage": stage})
        assert moved.status_code == 200, moved.text
    await admin.patch(f"/api/conversations/{contract}", json={"status": "resolved"})
    active = await lead(seeded, atendimento, admin, PHONE, "E3", at=OPEN_INSTANT, resolve=False)
    other = await lead(seeded, atendimento, admin, "5511966660002", "OTHER", at=RECENT, name="João")
    freeze_at(OPEN_INSTANT)
    export = await request(admin, "export", phone=PHONE)
    before = await snapshot(seeded)

    erased = await request(admin, "erase", phone=PHONE)

    assert erased["status"] == "completed_with_exceptions"
    result = erased["result"]
    assert result["erased_conversations"] == [plain]
    assert [(k["conversation_id"], k["reason"]) for k in result["kept"]] == [
        (contract, "contract"),
        (active, "active_conversation"),
    ]
    assert all(k["explanation"] for k in result["kept"])
    assert [k["reason"] for k in result["kept_contacts"]] == ["linked_to_kept_records"]
    assert result["erased"]["messages"] >= 4 and result["erased"]["attachments"] == 1
    assert result["erased"]["triage_answers"] == 2 and result["erased"]["history_entries"] >= 1
    assert result["erased"]["contacts"] == 0 and result["exports_discarded"] == 1
    assert result["sources"]["fake_test"] == 1 and fake_source.erased == [erased["contact_ids"]]
    scrubbed = await messages_of(seeded, plain)
    assert all(m.content in (None, ERASURE_MARKER) for m in scrubbed)
    assert all(m.media_url is None and "location" not in m.extra for m in scrubbed)
    for kept in (contract, active, other):
        assert any(SECRET_TEXT in (m.content or "") for m in await messages_of(seeded, kept))
    assert await snapshot(seeded) == before  # rows, statuses and timestamps stay for the figures
    assert (await admin.get(f"/api/privacy/requests/{export['id']}")).json()["export_available"] is False
    assert (await admin.get(f"/api/privacy/requests/{export['id']}/export.json")).status_code == 404
    history = (await admin.get(f"/api/conversations/{plain}/history")).json()
    escalation = next(e for e in history if e["action"] == "conversation.escalated")
    assert escalation["details"] == {"reason": REMOVED, "rule_id": 7}
    assert (
        history[-1]["action"] == Action.data_erased and history[-1]["details"]["request_id"] == erased["id"]
    )

    # Without the exceptions, the same person is erased entirely (found by e-mail this time).
    update = {"exceptions": {"keep_contracts": False, "keep_active_conversations": False}}
    assert (await admin.put("/api/privacy/retention", json=update)).status_code == 200
    again = await request(admin, "erase", email="MARIA@example.com")
    assert again["status"] == "completed" and again["result"]["kept"] == []
    assert sorted(again["result"]["erased_conversations"]) == sorted([plain, contract, active])
    for conversation_id in (plain, contract, active):
        assert SECRET_TEXT not in str([m.content for m in await messages_of(seeded, conversation_id)])
    async with seeded.db("atendimento").session() as session:
        contact = await session.get(Contact, erased["contact_ids"][0])
        assert contact is not None
        assert (contact.phone, contact.email) == (f"anon-{contact.id}", None)
        assert "Maria" not in (contact.name or "")
        other_contact = (
            await session.execute(select(Contact).where(Contact.phone == "5511966660002"))
        ).scalar_one()
        assert other_contact.name == "João"
    assert await snapshot(seeded) == before
    summaries = [e for e in await trail(seeded, Action.data_erased) if e.conversation_id is None]
    assert [e.details["request_id"] for e in summaries] == [erased["id"], again["id"]]
    assert all(e.actor_id == admin.agent_id for e in summaries)
    listed = (await admin.get("/api/privacy/requests?kind=erase")).json()
    assert [r["id"] for r in listed] == [again["id"], erased["id"]]


async def test_bad_requests_are_refused_with_a_message(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    cases = [
        ({"kind": "erase", "reason": "pedido", "phone": PHONE, "email": "a@b.com"}, 400),
        ({"kind": "erase", "reason": "pedido"}, 400),
        ({"kind": "erase", "reason": "pedido", "phone": "12"}, 400),
        ({"kind": "erase", "reason": "pedido", "email": "sem-arroba"}, 400),
        ({"kind": "delete", "reason": "pedido", "phone": PHONE}, 422),
        ({"kind": "erase", "phone": PHONE}, 422),
        ({"kind": "export", "email": "a\x00@b.com", "reason": "pedido"}, 422),
        ({"kind": "export", "phone": PHONE, "reason": "pedido\x00"}, 422),
    ]
    for body, status in cases:
        response = await admin.post("/api/privacy/requests", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["message"] if status == 400 else True
    assert (await admin.get("/api/privacy/requests/999999")).status_code == 404
    assert (await admin.get("/api/privacy/requests/0")).status_code == 422
    assert (await admin.get("/api/privacy/requests")).json() == []


async def test_an_open_incident_keeps_its_conversation_until_it_is_resolved(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    conversation_id = await lead(seeded, atendimento, admin, PHONE, "I1", at=RECENT)
    freeze_at(OPEN_INSTANT)
    incident = await admin.post(
        "/api/incidents",
        json={
            "category_code": "reclamacao",
            "title": "Cuidadora atrasou",
            "conversation_id": conversation_id,
        },
    )
    assert incident.status_code == 201, incident.text

    kept = await request(admin, "erase", phone=PHONE)
    assert kept["status"] == "completed_with_exceptions"
    assert [(k["conversation_id"], k["reason"]) for k in kept["result"]["kept"]] == [
        (conversation_id, "open_incident")
    ]
    assert any(SECRET_TEXT in (m.content or "") for m in await messages_of(seeded, conversation_id))

    for status in ({"status": "in_progress"}, {"status": "resolved", "resolution": "Cuidadora substituída"}):
        moved = await admin.post(f"/api/incidents/{incident.json()['id']}/status", json=status)
        assert moved.status_code == 200, moved.text
    erased = await request(admin, "erase", phone=PHONE)
    assert erased["status"] == "completed" and erased["result"]["erased_conversations"] == [conversation_id]
    assert all(SECRET_TEXT not in (m.content or "") for m in await messages_of(seeded, conversation_id))
