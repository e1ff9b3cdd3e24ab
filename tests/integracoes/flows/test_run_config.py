"""What a run reads of the hub's configuration with its event row (`RunConfig`): the mappings'
generation counter, so a run's renders run no statement while the process's cache holds it, and
whether any endpoint is enabled, so the delivery step costs no read and no savepoint when none is.
Both are read at the run's start: a change committed before it (by any process) is what it uses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text, update

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.integracoes.flows.repository import FlowRepository
from carinho.integracoes.flows.step_api import StepContext, step
from carinho.integracoes.flows.steps.common import render
from carinho.integracoes.mappings.repository import MappingRepository
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.runtime import Runtime
from carinho.worker import Lane
from tests.integracoes.processing import create_endpoint, deliveries_of, statements, steps_of, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import WebhookReceiver

MAPPED = "tests.mapped_by_run"
TARGET = "tests-target"


@step("tests.render_twice")
async def render_twice(ctx: StepContext) -> dict[str, Any]:
    """Two renders of the same pair in one step, as the CRM steps do across a flow."""
    first = await render(ctx, TARGET)
    second = await render(ctx, TARGET)
    return {"first": first, "second": second}


register_flow(MAPPED, Lane.integrations, ("tests.render_twice", DELIVER_WEBHOOKS))


async def _publish(hub: httpx.AsyncClient, auth: dict[str, str], spec: str) -> int:
    body = {"event_type": MAPPED, "target_system": TARGET, "spec": spec}
    response = await hub.post("/api/mappings", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return int(response.json()["version"])


async def _rendered(rt: Runtime, event_id: int) -> str:
    (rendered, delivered) = await steps_of(rt, event_id)
    assert (rendered.status, delivered.status) == ("done", "done")
    return rendered.output or ""


def _mapping_reads(seen: list[str]) -> list[str]:
    """The mappings' own reads: the counter read alone, or the active versions (a reload). The
    run's start reads the counter inside its event SELECT, which is not one of these."""
    return [
        sql
        for sql in seen
        if sql.startswith("SELECT integration_mapping_generation")
        or "FROM integration_mappings " in sql + " "
    ]


async def test_a_run_renders_from_memory_and_every_run_after_a_publish_or_rollback_uses_it(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    await _publish(hub, auth, "{v: `1`, n: n}")
    await drain(rt)  # whatever else is due (nothing of this test's flow yet)

    first = await submit_event(hub, auth, MAPPED, {"n": "a"})
    await drain(rt)
    assert '"first": {"v": 1, "n": "a"}, "second": {"v": 1, "n": "a"}' in await _rendered(rt, first)

    # The cache holds this generation now: a run renders twice without a statement of its own.
    cached = await submit_event(hub, auth, MAPPED, {"n": "b"})
    with statements(rt) as seen:
        await drain(rt)
    assert '"first": {"v": 1, "n": "b"}' in await _rendered(rt, cached)
    assert _mapping_reads(seen) == []
    assert any("FROM integration_events" in sql and "integration_mapping_generation" in sql for sql in seen)

    # A new version committed (by the API here; any process alike): the next run uses it.
    assert await _publish(hub, auth, "{v: `2`, n: n}") == 2
    after_publish = await submit_event(hub, auth, MAPPED, {"n": "c"})
    await drain(rt)
    assert '"first": {"v": 2, "n": "c"}, "second": {"v": 2, "n": "c"}' in await _rendered(rt, after_publish)

    # A rollback (version 1 active again) likewise.
    response = await hub.post(f"/api/mappings/{MAPPED}/{TARGET}/versions/1/activate", headers=auth)
    assert response.status_code == 200, response.text
    after_rollback = await submit_event(hub, auth, MAPPED, {"n": "d"})
    await drain(rt)
    assert '"first": {"v": 1, "n": "d"}' in await _rendered(rt, after_rollback)


async def test_without_an_enabled_endpoint_the_delivery_step_reads_nothing_and_a_new_one_gets_the_next_event(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    await _publish(hub, auth, "{n: n}")
    before = await submit_event(hub, auth, MAPPED, {"n": "a"})
    with statements(rt) as seen:
        await drain(rt)
    steps = await steps_of(rt, before)
    assert [(s.name, s.status, s.attempts, s.output) for s in steps][1] == (
        DELIVER_WEBHOOKS,
        "done",
        1,
        '{"deliveries": []}',
    )
    assert not [
        sql
        for sql in seen
        if "FROM webhook_endpoints " in sql + " " and not sql.startswith("SELECT integration_events")
    ]
    assert not [sql for sql in seen if sql.startswith("SAVEPOINT")]
    assert await deliveries_of(rt, before) == []

    endpoint = await create_endpoint(hub, auth, receiver.url(hook))
    after = await submit_event(hub, auth, MAPPED, {"n": "b"})
    await drain(rt)
    deliveries = await deliveries_of(rt, after)
    assert [d.endpoint_id for d in deliveries] == [endpoint["id"]]
    assert len(receiver.received(hook)) == 1

    # Disabled again: nothing for the next event, and the step is still done.
    response = await hub.patch(f"/api/endpoints/{endpoint['id']}", json={"enabled": False}, headers=auth)
    assert response.status_code == 200, response.text
    last = await submit_event(hub, auth, MAPPED, {"n": "c"})
    await drain(rt)
    assert await deliveries_of(rt, last) == []
    assert [s.status for s in await steps_of(rt, last)] == ["done", "done"]


async def test_a_run_beginning_locks_its_event_only_not_the_counter_nor_the_endpoints(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    """The counter and the endpoints are read as subqueries of the statement that locks the event:
    plain reads. A publish or an endpoint change made meanwhile does not wait for the run."""
    db = rt.db("integracoes")
    if db.backend == "sqlite":
        pytest.skip("SQLite serialises writers whatever the statement")
    await _publish(hub, auth, "{n: n}")
    endpoint = await create_endpoint(hub, auth, receiver.url(hook))
    event_id = await submit_event(hub, auth, MAPPED, {"n": "a"})
    timeout = (
        "SET lock_timeout = '5s'"
        if db.backend == "postgresql"
        else "SET SESSION innodb_lock_wait_timeout = 5"
    )
    async with db.session() as run, db.session() as change:
        found = await FlowRepository(run).event_for_run(event_id)  # held until `run` ends
        assert found is not None and found.endpoints_enabled
        await change.execute(text(timeout))
        await MappingRepository(change).bump_generation()  # would time out behind a lock
        await change.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint["id"]).values(description="changed")
        )
        await change.commit()
        await run.rollback()
