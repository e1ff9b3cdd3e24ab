"""Every event has a stored UUID and every outbound key is built from it (issue 19, item 7): a
second hub, a restored backup or a reset database hands out the same local ids again, never the same
`webhook-id` or `Idempotency-Key`."""

from __future__ import annotations

import re

import httpx

from carinho.integracoes.events.models import global_event_id
from carinho.integracoes.flows.service import step_idempotency_key
from carinho.runtime import Runtime
from tests.integracoes.processing import create_endpoint, deliveries_of, event_row, steps_of, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import WebhookReceiver

UID = re.compile(r"^[0-9a-f]{32}$")


async def test_outbound_keys_are_built_from_the_events_uuid(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook))
    event_ids = [await submit_event(hub, auth) for _ in range(2)]
    await drain(rt)
    events = [await event_row(rt, event_id) for event_id in event_ids]
    assert all(UID.match(e.uid) for e in events) and events[0].uid != events[1].uid

    for event in events:
        [step] = await steps_of(rt, event.id)
        assert step.idempotency_key == step_idempotency_key(event.uid, "deliver_webhooks")
        assert step.idempotency_key == f"evt_{event.uid}.deliver_webhooks"
        [delivery] = await deliveries_of(rt, event.id)
        assert delivery.message_id == global_event_id(event.uid) == f"evt_{event.uid}"
        assert delivery.idempotency_key == f"evt_{event.uid}.deliver_webhooks.ep_{endpoint['id']}"
    received = receiver.received(hook)
    assert {r.headers["webhook-id"] for r in received} == {f"evt_{e.uid}" for e in events}
    # Nothing outbound carries the local id alone any more.
    assert not any(r.headers["webhook-id"] == f"evt_{e.id}" for r in received for e in events)
