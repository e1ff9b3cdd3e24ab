"""Z-API's send limit paces a flow's sends as delayed runs (issue 18): a burst over the limit goes
out in order, never more than the limit in any 60 s window, every send eventually, without holding a
worker, spending an attempt or reaching the DLQ; a step with a lane of its own runs on that lane."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from carinho import runtime
from carinho.connectors.zapi.ratelimit import WINDOW_SECONDS, SendRateLimiter
from carinho.integracoes.flows.registry import register_flow, register_step_lane
from carinho.integracoes.flows.step_api import StepContext, step
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker import Lane
from carinho.worker.models import OutboxStatus
from tests.integracoes.processing import dead_letters, event_row, steps_of, submit_event
from tests.support.jobs import drain, outbox_rows

PACED = "tests.paced_greeting"
RATE = 5
BURST = 12

# What went out: (instance, event id, when), in the order the limiter let it go.
SENT: list[tuple[str, int, datetime]] = []


@step("tests.paced_send")
async def paced_send(ctx: StepContext) -> dict[str, Any]:
    """A send through the real per-instance limiter, as the Z-API client does it."""
    instance = str(ctx.payload["instance"])
    settings = runtime.current().settings.with_overrides(
        zapi_send_rate_per_minute=RATE,
        zapi_instance_id=instance,
        redis_url=ctx.payload["redis_url"],
        redis_namespace=ctx.payload["redis_namespace"],
    )
    await SendRateLimiter(settings).acquire(ctx.idempotency_key)
    SENT.append((instance, ctx.event.id, clock.utcnow()))
    return {"sent": True}


register_flow(PACED, Lane.integrations_high, ("tests.paced_send",))
register_step_lane("tests.paced_send", Lane.notifications)


async def next_due(rt: Runtime) -> datetime | None:
    model = rt.spec("integracoes").outbox
    async with rt.db("integracoes").session() as session:
        stmt = select(func.min(model.available_at)).where(model.status == OutboxStatus.pending.value)
        return (await session.execute(stmt)).scalar_one_or_none()


@pytest.mark.usefixtures("still_clock")
@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
async def test_a_burst_over_the_send_limit_goes_out_in_order_at_the_pace_without_failures(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], shared: bool, request: pytest.FixtureRequest
) -> None:
    instance = secrets.token_hex(16).upper()
    limiter = {"redis_url": "", "redis_namespace": "unused"}
    if shared:  # the slots in Redis, as every process of the production profile shares them
        limiter = {
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_namespace": request.getfixturevalue("redis_namespace"),
        }
    payloads = [{"instance": instance, "n": uuid.uuid4().hex, **limiter} for _ in range(BURST)]
    ids = [await submit_event(hub, auth, PACED, payload) for payload in payloads]
    await drain(rt)

    mine = [(event_id, at) for i, event_id, at in SENT if i == instance]
    assert [event_id for event_id, _ in mine] == ids[:RATE]  # the window's worth, at once
    waiting = await event_row(rt, ids[-1])
    assert (waiting.status, waiting.attempts) == ("received", 0)  # waiting is not an attempt
    assert [(s.status, s.attempts) for s in await steps_of(rt, ids[-1])] == [("pending", 0)]
    rows: list[Any] = await outbox_rows(rt, "integracoes")
    delayed = [r for r in rows if r.status == OutboxStatus.pending.value]
    assert len(delayed) == BURST - RATE
    assert {r.lane for r in delayed} == {Lane.notifications.value}  # off the inbound lane
    due = sorted(r.available_at for r in delayed)
    assert len(set(due)) == len(due)  # each its own slot: no thundering herd

    for _ in range(4 * BURST):  # move the clock to each next due row, nothing in between
        when = await next_due(rt)
        if when is None:
            break
        if when > clock.utcnow():
            clock.advance(when - clock.utcnow())
        await drain(rt)

    mine = [(event_id, at) for i, event_id, at in SENT if i == instance]
    assert [event_id for event_id, _ in mine] == ids  # every one, once, in order
    times = [at.timestamp() for _, at in mine]
    assert all(times[k + RATE] - times[k] >= WINDOW_SECONDS for k in range(len(times) - RATE))
    for event_id in ids:
        event = await event_row(rt, event_id)
        assert (event.status, event.attempts) == ("processed", 1)
        assert [(s.status, s.attempts) for s in await steps_of(rt, event_id)] == [("done", 1)]
    assert await dead_letters(rt) == []
