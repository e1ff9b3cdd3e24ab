"""Module 2 end to end: `lead.created` from the site webhook (and again through POST /api/events) →
the lead in the CRM with its origin, one welcome WhatsApp per lead whatever the retries, and the
attribution to the marketing campaign of its UTM."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from carinho import runtime
from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB
from carinho.integracoes.flows.steps.models import OutboundMessage
from carinho.kit import clock
from carinho.worker import Lane
from carinho.worker.models import OutboxStatus
from tests.integracoes.platform import Platform, platform  # noqa: F401
from tests.sandbox.harness import revalidated
from tests.support.jobs import outbox_rows

PHONE = "5511955550101"
SITE_LEAD = {
    "lead_id": 8812,
    "name": "Francisca  Rodrigues",
    "phone": "(11) 95555-0101",
    "email": "francisca@example.com.br",
    "city": "São Paulo",
    "service_type": "cuidador_diurno",
    "message": "Preciso de cuidadora para minha mãe, 82 anos.",
    "utm_source": "google",
    "utm_medium": "cpc",
    "utm_campaign": "cuidador-idosos-sp",
    "page_url": "https://carinho.com.vc/cuidador-de-idosos",
    "form": {"bairro": "Pinheiros", "para_quem": "mãe"},
}


async def test_a_site_lead_is_registered_welcomed_once_and_attributed(platform: Platform) -> None:  # noqa: F811
    await platform.fault("zapi", fail_next=1, fail_status=500)
    response = await platform.post_signed("/webhooks/site/lead", "site", SITE_LEAD)
    assert response.status_code == 202, response.text
    again = await platform.post_signed("/webhooks/site/lead", "site", SITE_LEAD)  # the site retries
    assert again.status_code == 200 and again.json()["duplicate"] is True
    await platform.run_jobs()
    [event] = await platform.events("lead.created")
    assert event.status == "failed" and "zapi" in (event.last_error or "")
    await platform.retry_later()

    [event] = await platform.events("lead.created")
    assert event.status == "processed"
    [lead] = await platform.accepted("crm", "POST", "/leads")
    assert lead["body"] == {
        "phone": PHONE,
        "name": "Francisca Rodrigues",
        "email": "francisca@example.com.br",
        "source": "site",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "cuidador-idosos-sp",
        "page_url": "https://carinho.com.vc/cuidador-de-idosos",
        "city": "São Paulo",
        "notes": "Preciso de cuidadora para minha mãe, 82 anos.",
        "service_type": "cuidador_diurno",
        "site_lead_id": "8812",
        "form": {"bairro": "Pinheiros", "para_quem": "mãe"},
    }
    [welcome] = await platform.whatsapp_sent(PHONE)
    assert welcome["body"]["message"].startswith("Olá, Francisca! Aqui é a Carinho com Você")
    assert len(await platform.received("zapi", "POST", "/send-text")) == 2  # the refused try, then the send
    rows: list[Any] = await outbox_rows(platform.rt, "integracoes")
    runs = [r for r in rows if r.job == PROCESS_EVENT_JOB and r.args["event_id"] == event.id]
    # The CRM and the campaign on the critical lane; the welcome (and its retry) on `notifications`.
    assert runs[0].lane == Lane.integrations_high.value
    assert [r.lane for r in runs[1:]] == [
        Lane.notifications.value,
        Lane.integrations_retry.value,
        Lane.notifications.value,
    ]
    crm_lead = await crm_lead_by_phone(platform, PHONE)
    [attribution] = await platform.accepted(
        "marketing", "POST", "/campaigns/1/leads"
    )  # the google/cpc campaign
    assert attribution["body"] == {
        "crm_lead_id": crm_lead["id"],
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "cuidador-idosos-sp",
    }

    # The same person again through the API (another key): the CRM lead is updated, no second welcome.
    submitted = await platform.hub.post(
        "/api/events",
        json={"source": "manual", "type": "lead.created", "payload": {**SITE_LEAD, "lead_id": 9000}},
        headers=platform.auth,
    )
    assert submitted.status_code == 202, submitted.text
    await platform.run_jobs()
    assert [e.status for e in await platform.events("lead.created")] == ["processed", "processed"]
    assert len(await platform.accepted("crm", "POST", "/leads")) == 1
    assert len(await platform.accepted("crm", "PATCH", f"/leads/{crm_lead['id']}")) == 1
    assert len(await platform.accepted("marketing", "POST", "/campaigns/1/leads")) == 1
    assert len(await platform.whatsapp_sent(PHONE)) == 1


async def test_a_lead_without_utm_is_not_attributed(platform: Platform) -> None:  # noqa: F811
    lead = {"name": "Sebastião Alves", "phone": "11955550202", "origin": "whatsapp"}
    assert (await platform.post_signed("/webhooks/site/lead", "site", lead)).status_code == 202
    await platform.run_jobs()
    [event] = await platform.events("lead.created")
    assert event.status == "processed"
    assert await platform.received("marketing") == []
    [welcome] = await platform.whatsapp_sent("5511955550202")
    assert "Sebastião" in welcome["body"]["message"]


async def test_a_burst_of_leads_is_welcomed_in_order_at_the_send_limit(platform: Platform) -> None:  # noqa: F811
    """Z-API's limit (5/min here) paces the welcomes as delayed runs on `notifications`: every one
    goes out, in order, never more than 5 in a minute, without an attempt spent or a DLQ entry."""
    rate, burst = 5, 12
    for db in platform.rt.databases.values():
        await db.dispose()
    platform.rt = runtime.configure(revalidated(platform.settings, zapi_send_rate_per_minute=rate))
    clock.freeze()
    phones = [f"55119555503{n:02d}" for n in range(burst)]
    for n, phone in enumerate(phones):
        lead = {"lead_id": 7000 + n, "name": f"Pessoa {n}", "phone": phone, "origin": "site"}
        assert (await platform.post_signed("/webhooks/site/lead", "site", lead)).status_code == 202
    await platform.run_jobs()
    assert len(await platform.received("zapi", "POST", "/send-text")) == rate
    assert len(await platform.accepted("crm", "POST", "/leads")) == burst  # the CRM did not wait

    for _ in range(4 * burst):  # the clock moves only to the next due row
        async with platform.rt.db("integracoes").session() as session:
            model = platform.rt.spec("integracoes").outbox
            stmt = select(func.min(model.available_at)).where(model.status == OutboxStatus.pending.value)
            due = (await session.execute(stmt)).scalar_one_or_none()
        if due is None:
            break
        if due > clock.utcnow():
            clock.advance(due - clock.utcnow())
        await platform.run_jobs()

    sends = await platform.received("zapi", "POST", "/send-text")
    assert [s["body"]["phone"] for s in sends] == phones  # every one, once, in order
    async with platform.rt.db("integracoes").session() as session:
        stmt = select(OutboundMessage.sent_at).where(OutboundMessage.template == "lead_welcome")
        times = sorted(t.timestamp() for t in (await session.execute(stmt)).scalars() if t)
        assert len(times) == burst
        assert all(times[k + rate] - times[k] >= 60 for k in range(burst - rate))
        assert (await session.execute(select(func.count()).select_from(DeadLetter))).scalar_one() == 0
    events = await platform.events("lead.created")
    assert {(e.status, e.attempts) for e in events} == {("processed", 1)}


async def crm_lead_by_phone(platform: Platform, phone: str) -> dict[str, Any]:  # noqa: F811
    key = {"X-API-Key": platform.settings.system_api_key("crm")}
    found = (await platform.box.get("/crm/api/v1/leads", params={"phone": phone}, headers=key)).json()
    [lead] = found["data"]
    return dict(lead)
