"""kill -9 of a worker during a slow outbound delivery (issue 19, item 6): the attempt was recorded
before the request, so the dead run still counts (attempts=1); once its lease runs out another worker
closes it as interrupted and makes attempt 2 with the same `webhook-id` and `Idempotency-Key`, which
the target, deduplicating, acts on once. At-least-once delivery, exactly-once effect where the
receiver deduplicates."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.deliveries.models import Delivery, DeliveryAttempt
from carinho.integracoes.deliveries.service import INTERRUPTED
from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import NewEvent
from carinho.integracoes.webhook_endpoints.schemas import EndpointCreate
from carinho.integracoes.webhook_endpoints.service import webhook_endpoint_service
from carinho.kit import clock, migrations
from carinho.runtime import Runtime
from carinho.worker.relay import relay_once
from tests.integracoes.delivery_only import DELIVERY_ONLY
from tests.support.processes import carinho_env, kill9, running, stop, wait_until
from tests.support.webhook_receiver import Reply, running_receiver

pytestmark = [pytest.mark.slow, pytest.mark.redis]

HOOK = "slow-target"


async def _delivery(rt: Runtime, event_id: int) -> Delivery | None:
    async with rt.db("integracoes").session() as session:
        return await session.scalar(select(Delivery).where(Delivery.event_id == event_id))


async def _attempts(rt: Runtime, delivery_id: int) -> list[DeliveryAttempt]:
    async with rt.db("integracoes").session() as session:
        rows = await session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.number)
        )
        return list(rows)


async def test_an_attempt_killed_mid_request_is_recorded_and_the_next_has_the_same_webhook_id(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    values: dict[str, object] = {
        "carinho_data_dir": tmp_path,
        "redis_url": redis_url,
        "redis_namespace": redis_namespace,
        "session_secret": "delivery-kill-test",
        "zapi_webhook_secret": "delivery-kill-test",
        "webhook_timeout_seconds": 60,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    env = carinho_env(carinho_env="test", carinho_job_modules="tests.integracoes.delivery_only", **values)
    rt = runtime.configure(settings)
    log = tmp_path / "worker.log"
    worker_args = ["worker", "--lanes", "integrations", "--threads", "2"]

    try:
        with running_receiver() as receiver:
            receiver.plan(HOOK, Reply(200, delay_seconds=20))  # slow; the worker dies meanwhile
            async with rt.db("integracoes").session() as session:
                await webhook_endpoint_service.create(
                    session, EndpointCreate(url=receiver.url(HOOK), target_system="crm", event_types=[])
                )
                await session.commit()

            with running(worker_args, env, log) as first_worker:
                stored = await ingest(
                    rt,
                    NewEvent(
                        source="crm",
                        event_type=DELIVERY_ONLY,
                        idempotency_key=uuid.uuid4().hex,
                        payload={"n": 1},
                    ),
                )

                async def requested() -> bool:
                    return len(receiver.received(HOOK)) == 1

                await wait_until(requested, timeout=90, what="the slow request", log=log)
                kill9(first_worker)

            delivery = await _delivery(rt, stored.event_id)
            assert delivery is not None and delivery.attempts == 1 and delivery.status == "pending"
            [in_flight] = await _attempts(rt, delivery.id)
            assert (in_flight.number, in_flight.status, in_flight.finished_at) == (1, "sending", None)

            clock.advance(timedelta(seconds=rt.settings.outbox_lease_seconds + 1))
            with running(worker_args, env, log) as second_worker:
                assert await relay_once(rt, "integracoes") == 1  # the dead worker's job, lease expired

                async def succeeded() -> bool:
                    current = await _delivery(rt, stored.event_id)
                    return current is not None and current.status == "succeeded"

                await wait_until(succeeded, timeout=90, what="the delivery to succeed", log=log)
                assert stop(second_worker) == 0

            delivery = await _delivery(rt, stored.event_id)
            assert delivery is not None and delivery.attempts == 2
            attempts = await _attempts(rt, delivery.id)
            assert [(a.number, a.status, a.status_code) for a in attempts] == [
                (1, "failed", None),
                (2, "succeeded", 200),
            ]
            assert attempts[0].error == INTERRUPTED and attempts[0].finished_at is not None
            received = receiver.received(HOOK)
            assert len(received) == 2
            assert {r.headers["webhook-id"] for r in received} == {delivery.message_id}
            assert {r.idempotency_key for r in received} == {delivery.idempotency_key}
            assert len(receiver.accepted(HOOK)) == 1  # the target acted once
    finally:
        clock.reset()
        for db in rt.databases.values():
            await db.dispose()
