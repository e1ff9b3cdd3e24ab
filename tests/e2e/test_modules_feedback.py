"""Module 4 end to end: `service.completed` → the client is told, and 2 hours later (a durable delayed
job, across a restart) asked for feedback by WhatsApp and e-mail; the answer (a WhatsApp reply or the
link) reaches the CRM and cuidadores. Cuidadores' own feedback and financeiro's payments and payouts
are recorded and delivered to their subscribers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from carinho.integracoes.flows.steps.models import FeedbackRequest
from carinho.kit import clock
from tests.integracoes.platform import Platform, platform  # noqa: F401
from tests.support.webhook_receiver import WebhookReceiver, running_receiver

PHONE = "5511987650101"  # the sandbox CRM's client 1 (already a lead there)
EMAIL = "maria.santos@exemplo.com.br"
SERVICE = {
    "service_id": 5531,
    "client_id": "1",
    "client_name": "Maria Aparecida dos Santos",
    "client_phone": "11987650101",
    "client_email": EMAIL,
    "caregiver_id": 1,
    "caregiver_name": "Juliana Batista Souza",
    "started_at": "2026-11-28T08:00:00-03:00",
    "completed_at": "2026-11-28T18:00:00-03:00",
}


@pytest.fixture(scope="module")
def subscriber() -> Iterator[WebhookReceiver]:
    with running_receiver() as started:
        yield started


def _link(text: str) -> str:
    match = re.search(r"/feedback/[A-Za-z0-9_-]+", text)
    assert match, text
    return match.group(0)


async def _requests(platform: Platform) -> list[FeedbackRequest]:  # noqa: F811
    async with platform.rt.db("integracoes").session() as session:
        return list((await session.execute(select(FeedbackRequest))).scalars())


async def test_feedback_is_asked_two_hours_later_across_a_restart_and_a_reply_is_recorded(
    platform: Platform,  # noqa: F811
) -> None:
    await platform.fault("zapi", fail_next=1, fail_status=500)
    response = await platform.post_signed("/webhooks/operacao/service-completed", "operacao", SERVICE)
    assert response.status_code == 202, response.text
    await platform.run_jobs()
    await platform.retry_later()
    [event] = await platform.events("service.completed")
    assert event.status == "processed"
    [completed] = await platform.whatsapp_sent(PHONE)
    assert completed["body"]["message"] == (
        "Olá, Maria! O atendimento do dia 28/11/2026 com Juliana Batista Souza foi concluído. "
        "Obrigado por confiar na Carinho com Você 💜"
    )
    [request] = await _requests(platform)
    assert request.status == "scheduled" and request.service_id == "5531"

    clock.advance(timedelta(hours=1, minutes=59))
    await platform.run_jobs()
    assert len(await platform.whatsapp_sent(PHONE)) == 1 and await platform.mails(EMAIL) == []

    await platform.restart()  # a new process on the same database: the delayed job is a row
    clock.advance(timedelta(minutes=2))
    await platform.run_jobs()
    [asked] = await platform.events("feedback.requested")
    assert asked.status == "processed"
    sent = await platform.whatsapp_sent(PHONE)
    assert len(sent) == 2
    question = sent[1]["body"]["message"]
    assert "De 0 a 10" in question and "Juliana Batista Souza" in question
    link = _link(question)
    [mail] = await platform.mails(EMAIL)
    assert mail["subject"] == "Como foi o atendimento com Juliana Batista Souza? Conte para a gente"
    body = (await platform.box.get(f"/_sandbox/smtp/messages/{mail['id']}")).json()["text"]
    assert link in body and "28/11/2026" in body

    await platform.phone_sends(PHONE, "9 A Juliana foi maravilhosa, muito atenciosa.", "Maria")
    await platform.run_jobs()
    [received] = await platform.events("feedback.received")
    assert received.status == "processed" and received.source == "integracoes"
    [crm_feedback] = await platform.accepted("crm", "POST", "/feedback")
    assert crm_feedback["body"] == {
        "service_id": "5531",
        "rating": 9,
        "comment": "A Juliana foi maravilhosa, muito atenciosa.",
        "client_id": 1,
        "caregiver_id": 1,
        "channel": "whatsapp",
    }
    [caregiver_feedback] = await platform.accepted("cuidadores", "POST", "/caregivers/1/feedback")
    assert caregiver_feedback["body"] == {
        "service_id": "5531",
        "rating": 9,
        "comment": "A Juliana foi maravilhosa, muito atenciosa.",
        "crm_client_id": 1,
    }
    # The reply is also a regular WhatsApp interaction in the CRM; no welcome (Maria is a known lead).
    assert len(await platform.accepted("crm", "POST", "/interactions")) == 1
    assert await platform.events("lead.created") == []
    # The link now says it was answered; a second reply is just a message.
    page = await platform.hub.get(link)
    assert page.status_code == 200 and "Avaliação já registrada" in page.text
    await platform.phone_sends(PHONE, "10", "Maria")
    await platform.run_jobs()
    assert len(await platform.events("feedback.received")) == 1
    assert len(await platform.whatsapp_sent(PHONE)) == 2


async def test_feedback_by_the_link_and_from_cuidadores(platform: Platform) -> None:  # noqa: F811
    await platform.post_signed("/webhooks/operacao/service-completed", "operacao", SERVICE)
    await platform.run_jobs()
    clock.advance(timedelta(hours=2, seconds=1))
    await platform.run_jobs()
    link = _link((await platform.whatsapp_sent(PHONE))[-1]["body"]["message"])
    form = await platform.hub.get(link)
    assert form.status_code == 200 and "Como foi o atendimento?" in form.text
    invalid = await platform.hub.post(link, data={"rating": "11"})
    assert invalid.status_code == 422 and "de 0 a 10" in invalid.text
    answered = await platform.hub.post(link, data={"rating": "7", "comment": "Chegou um pouco atrasada."})
    assert answered.status_code == 200 and "Obrigado" in answered.text
    assert (await platform.hub.post(link, data={"rating": "3"})).status_code == 200  # already answered
    await platform.run_jobs()
    [crm_feedback] = await platform.accepted("crm", "POST", "/feedback")
    assert crm_feedback["body"]["rating"] == 7 and crm_feedback["body"]["channel"] == "link"
    assert (await platform.hub.get("/feedback/not-a-token")).status_code == 404

    # Cuidadores' own feedback: rated 0–10 like everything else (docs/contratos/cuidadores.md), so to
    # the CRM as is; not through our link, so not `channel: link` (omitted unless cuidadores says how);
    # not echoed back to cuidadores.
    own = {"feedback_id": 301, "service_id": 5532, "caregiver_id": 2, "client_id": "2", "rating": 9}
    assert (await platform.post_signed("/webhooks/cuidadores/feedback", "cuidadores", own)).status_code == 202
    told = {"feedback_id": 302, "service_id": 5533, "caregiver_id": 2, "rating": 4, "canal": "whatsapp"}
    assert (
        await platform.post_signed("/webhooks/cuidadores/feedback", "cuidadores", told)
    ).status_code == 202
    await platform.run_jobs()
    crm_feedback = {
        f["body"]["service_id"]: f["body"] for f in await platform.accepted("crm", "POST", "/feedback")
    }
    assert crm_feedback["5532"] == {"service_id": "5532", "rating": 9, "client_id": 2, "caregiver_id": 2}
    assert crm_feedback["5533"] == {
        "service_id": "5533",
        "rating": 4,
        "caregiver_id": 2,
        "channel": "whatsapp",
    }
    assert len(await platform.accepted("cuidadores", "POST", "/feedback")) == 1  # only the link's


async def test_payments_and_payouts_are_recorded_and_delivered_to_their_subscribers(
    platform: Platform,  # noqa: F811
    subscriber: WebhookReceiver,
) -> None:
    for target, types in (
        ("crm", ["payment.received", "payout.processed"]),
        ("cuidadores", ["payout.processed"]),
    ):
        created = await platform.hub.post(
            "/api/endpoints",
            json={
                "url": subscriber.url(f"{target}-{id(platform)}"),
                "target_system": target,
                "event_types": types,
            },
            headers=platform.auth,
        )
        assert created.status_code == 201, created.text
    payment = {
        "payment_id": "PAY-1",
        "client_id": "1",
        "amount": "1850.00",
        "method": "pix",
        "paid_at": "2026-11-28T13:05:00Z",
    }
    payout = {
        "payout_id": "REP-1",
        "caregiver_id": 1,
        "amount": "1320.50",
        "processed_at": "2026-11-28T12:00:00Z",
    }
    assert (
        await platform.post_signed("/webhooks/financeiro/payment", "financeiro", payment)
    ).status_code == 202
    assert (
        await platform.post_signed("/webhooks/financeiro/payout", "financeiro", payout)
    ).status_code == 202
    await platform.run_jobs()
    assert [e.status for e in await platform.events("payment.received")] == ["processed"]
    assert [e.status for e in await platform.events("payout.processed")] == ["processed"]
    to_crm = subscriber.accepted(f"crm-{id(platform)}")
    to_cuidadores = subscriber.accepted(f"cuidadores-{id(platform)}")
    assert sorted(json.loads(r.body)["type"] for r in to_crm) == ["payment.received", "payout.processed"]
    assert [json.loads(r.body)["type"] for r in to_cuidadores] == ["payout.processed"]
    # The data is the active mapping's output for the endpoint's system: amounts in centavos.
    delivered: dict[str, Any] = json.loads(to_cuidadores[0].body)["data"]
    assert delivered == {
        "payout_id": "REP-1",
        "caregiver_id": "1",
        "amount_cents": 132050,
        "currency": "BRL",
        "status": "processed",
        "processed_at": "2026-11-28T12:00:00Z",
    }
    [paid] = [json.loads(r.body)["data"] for r in to_crm if json.loads(r.body)["type"] == "payment.received"]
    assert paid["amount_cents"] == 185000 and paid["method"] == "pix" and "amount" not in paid
