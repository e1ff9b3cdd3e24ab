"""Every new alert goes out once: an e-mail to each active supervisor and administrator (SMTP sink)
and a POST to the alert webhook, signed so a Standard Webhooks consumer can verify it; a failed
POST is retried."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from carinho import runtime
from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.inbox.alerts import alert_service
from carinho.kit.clock import utcnow
from carinho.kit.signatures import hmac_hex, verify_standard
from carinho.runtime import Runtime
from carinho.sandbox.smtp import CaughtMail, SmtpSink
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import incoming, move_to, run_monitor
from tests.sandbox.harness import revalidated
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver, running_receiver

SECRET = "whsec_YWxlcnQtd2ViaG9vay10ZXN0LXNlY3JldCE="


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
async def channels(seeded: Runtime, receiver: WebhookReceiver) -> AsyncIterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=0)
    await sink.start()
    runtime.configure(
        revalidated(
            seeded.settings,
            mail_host="127.0.0.1",
            mail_port=sink.port,
            zapi_enabled=False,
            atendimento_alert_webhook_url=receiver.url("alerts"),
            atendimento_alert_webhook_secret=SECRET,
        )
    )
    yield sink
    await sink.stop()


def mails_about(sink: SmtpSink, subject: str) -> list[CaughtMail]:
    # No waiting: the sink keeps a mail before it answers 250, and the job awaited that answer.
    return [m for m in sink.messages if m.subject == subject]


def posts_of(receiver: WebhookReceiver, kind: str) -> list[dict[str, object]]:
    return [
        {"body": json.loads(r.body), "raw": r.body, "headers": r.headers}
        for r in receiver.accepted("alerts")
        if json.loads(r.body)["type"] == f"atendimento.alert.{kind}"
    ]


async def test_a_breach_is_emailed_to_supervisors_and_posted_signed_once(
    seeded: Runtime,
    atendimento: httpx.AsyncClient,
    make_agent: MakeAgent,
    channels: SmtpSink,
    receiver: WebhookReceiver,
) -> None:
    freeze_at(OPEN_INSTANT)
    await make_agent(Role.supervisor, name="Sandra")
    await make_agent(Role.admin, name="Alice")
    away = await make_agent(Role.supervisor, name="Bruno")
    await make_agent(name="Rita")  # an attendant: not e-mailed
    async with seeded.db("atendimento").session() as session:
        agent = await session.get(Agent, away.agent_id)
        assert agent is not None
        agent.active = False
        await session.commit()
    conversation_id = await incoming(atendimento, "A1")

    move_to(OPEN_INSTANT, 61)
    await run_monitor(seeded)
    await drain(runtime.current(), ("atendimento",))

    subject = f"Alerta: SLA violado na conversa {conversation_id}"
    mails = mails_about(channels, subject)
    assert sorted(m.rcpt_tos[0] for m in mails) == ["admin2@carinho.test", "supervisor1@carinho.test"]
    mail = next(m for m in mails if m.rcpt_tos == ["supervisor1@carinho.test"])
    assert mail.text and f"SLA de primeira resposta violado na conversa {conversation_id}" in mail.text
    assert "Olá, Sandra!" in mail.text and "Prazo: Primeira resposta" in mail.text
    assert mail.html and "#C2185B" in mail.html and "Primeira resposta" in mail.html

    [post] = posts_of(receiver, "sla_breached")
    headers, raw = post["headers"], post["raw"]
    assert isinstance(headers, dict) and isinstance(raw, bytes)
    assert verify_standard(SECRET, raw, headers)
    assert headers["signature"] == hmac_hex(SECRET, raw)
    assert not verify_standard("whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==", raw, headers)
    body = post["body"]
    assert isinstance(body, dict)
    assert headers["webhook-id"] == body["id"] and headers["idempotency-key"] == f"atendimento-{body['id']}"
    assert body["data"]["conversation_id"] == conversation_id and body["data"]["severity"] == "error"

    # Running again and draining again sends nothing new.
    await run_monitor(seeded)
    await drain(runtime.current(), ("atendimento",))
    assert len(mails_about(channels, subject)) == 2
    assert len(posts_of(receiver, "sla_breached")) == 1


async def test_a_failed_webhook_post_is_retried_until_accepted(
    seeded: Runtime, make_agent: MakeAgent, channels: SmtpSink, receiver: WebhookReceiver
) -> None:
    freeze_at(OPEN_INSTANT)
    receiver.plan("alerts", Reply(503), Reply(503))
    async with seeded.db("atendimento").session() as session:
        alert = await alert_service.raise_alert(
            session, kind="backlog_waiting", title="Fila crescendo: 30 conversas", dedupe_key="test-backlog-1"
        )
        again = await alert_service.raise_alert(
            session, kind="backlog_waiting", title="Fila crescendo: 30 conversas", dedupe_key="test-backlog-1"
        )
        assert again.id == alert.id
        await session.commit()
    await drain(runtime.current(), ("atendimento",))
    assert posts_of(receiver, "backlog_waiting") == []
    for _ in range(2):  # each retry waits its backoff; move the clock past it
        freeze_at(utcnow() + timedelta(minutes=1))
        await drain(runtime.current(), ("atendimento",))
    [post] = posts_of(receiver, "backlog_waiting")
    assert [r.status for r in receiver.received("alerts")] == [503, 503, 200]
    assert isinstance(post["headers"], dict) and isinstance(post["raw"], bytes)
    assert verify_standard(SECRET, post["raw"], post["headers"])
