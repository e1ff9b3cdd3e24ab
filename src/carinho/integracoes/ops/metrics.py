"""The hub's gauges on /metrics, read from its database when Prometheus scrapes (so every API process
answers the same, whatever process did the work): each lane's backlog and oldest wait, the DLQ, the
open alerts and the scheduler's heartbeat. Counters of events live where they happen
(webhooks/metrics.py, sync/alerts.py, alerts/service.py)."""

from __future__ import annotations

from prometheus_client import Gauge

from carinho.integracoes.alerts.repository import AlertRepository
from carinho.integracoes.alerts.rules import KINDS
from carinho.integracoes.database import OutboxMessage
from carinho.integracoes.dlq.repository import DeadLetterRepository
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.lanes import Lane
from carinho.worker.outbox_repository import OutboxRepository
from carinho.worker.scheduler import HEARTBEAT_NAME

HUB_LANES = [lane.value for lane in Lane if not lane.value.startswith("atendimento")]

lane_backlog = Gauge("carinho_hub_lane_backlog", "Jobs waiting or running on a lane of the hub", ["lane"])
lane_oldest_wait = Gauge(
    "carinho_hub_lane_oldest_wait_seconds", "Age of the oldest due job still waiting on a lane", ["lane"]
)
lane_failed = Gauge(
    "carinho_hub_lane_failed", "Jobs failed for good on a lane (not yet cleaned up)", ["lane"]
)
dlq_open = Gauge(
    "carinho_hub_dlq_open", "Open items of the dead-letter queue, by target system", ["target_system"]
)
alerts_open = Gauge("carinho_hub_alerts_open", "Open alerts, by rule", ["kind"])
scheduler_heartbeat_age = Gauge(
    "carinho_hub_scheduler_heartbeat_age_seconds", "Seconds since the scheduler leader's last heartbeat"
)


async def refresh(rt: Runtime) -> None:
    now = utcnow()
    async with rt.db("integracoes").read_session() as session:
        outbox = OutboxRepository(session, OutboxMessage)
        counts = await outbox.counts_by_lane()
        oldest = await outbox.oldest_due_pending_by_lane(now)
        open_by_target = await DeadLetterRepository(session).open_by_target()
        dlq = {str(target): n for target, n in open_by_target.items() if target is not None}
        dlq_total = sum(open_by_target.values())
        alerts = await AlertRepository(session).open_alerts()
        beat_at = await AlertRepository(session).heartbeat_at(HEARTBEAT_NAME)
    for lane in sorted(set(HUB_LANES) | set(counts)):
        by_status = counts.get(lane, {})
        lane_backlog.labels(lane=lane).set(by_status.get("pending", 0) + by_status.get("running", 0))
        lane_failed.labels(lane=lane).set(by_status.get("failed", 0))
        lane_oldest_wait.labels(lane=lane).set((now - oldest[lane]).total_seconds() if lane in oldest else 0)
    dlq_open.clear()
    for target, count in dlq.items():
        dlq_open.labels(target_system=target).set(count)
    dlq_open.labels(target_system="").set(dlq_total - sum(dlq.values()))  # steps without a target
    alerts_open.clear()
    by_kind: dict[str, int] = {}
    for alert in alerts:
        by_kind[alert.kind] = by_kind.get(alert.kind, 0) + 1
    for kind in KINDS:
        alerts_open.labels(kind=kind).set(by_kind.get(kind, 0))
    scheduler_heartbeat_age.set((now - beat_at).total_seconds() if beat_at else -1)
