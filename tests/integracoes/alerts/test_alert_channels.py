"""An alert that opens and resolves reaches a person: one e-mail each to OPS_ALERT_EMAIL (SMTP sink)
and one signed POST each to the alert webhook, verifiable with the Standard Webhooks library."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from carinho import runtime
from carinho.kit.signatures import hmac_hex, verify_with_library
from carinho.runtime import Runtime
from carinho.sandbox.smtp import SmtpSink
from tests.integracoes.alerts.support import back_up, drain_lane, evaluate, set_rule
from tests.sandbox.harness import revalidated
from tests.support.jobs import drain
from tests.support.webhook_receiver import WebhookReceiver, running_receiver

SECRET = "whsec_aHViLWFsZXJ0LXdlYmhvb2stdGVzdC1zZWNyZXQ="


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
async def wired(rt: Runtime, receiver: WebhookReceiver) -> AsyncIterator[tuple[Runtime, SmtpSink]]:
    sink = SmtpSink(host="127.0.0.1", port=0)
    await sink.start()
    current = runtime.configure(
        revalidated(
            rt.settings,
            mail_host="127.0.0.1",
            mail_port=sink.port,
            ops_alert_email="ops@carinho.com.vc",
            integracoes_alert_webhook_url=receiver.url("alerts"),
            integracoes_alert_webhook_secret=SECRET,
        )
    )
    yield current, sink
    await sink.stop()
    for db in current.databases.values():
        await db.dispose()


async def test_opened_and_resolved_are_emailed_and_posted_signed_once(
    wired: tuple[Runtime, SmtpSink], receiver: WebhookReceiver
) -> None:
    rt, sink = wired
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=0)
    await back_up(rt, 6)
    await evaluate(rt)
    await evaluate(rt)  # still open: nothing more goes out
    await drain(rt, ("integracoes",))

    [mail] = sink.messages
    assert mail.to == ["ops@carinho.com.vc"]
    assert mail.subject == "[Carinho Integrações] Alerta: Fila acumulada — integrations-low"
    assert mail.text is not None and "Fila integrations-low com 6 itens aguardando" in mail.text
    assert "/alertas" in mail.text
    [post] = receiver.accepted("alerts")
    body = json.loads(post.body)
    assert body["type"] == "integracoes.alert.opened"
    assert body["data"]["kind"] == "lane_backlog" and body["data"]["details"]["backlog"] == 6
    assert verify_with_library(SECRET, post.body, post.headers)
    assert post.headers["signature"] == hmac_hex(SECRET, post.body)

    await drain_lane(rt)
    await evaluate(rt)
    await evaluate(rt)
    await drain(rt, ("integracoes",))
    assert [m.subject for m in sink.messages][1:] == [
        "[Carinho Integrações] Resolvido: Fila acumulada — integrations-low"
    ]
    types = [json.loads(r.body)["type"] for r in receiver.accepted("alerts")]
    assert types == ["integracoes.alert.opened", "integracoes.alert.resolved"]
