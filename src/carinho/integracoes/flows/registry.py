"""The flow registry: which steps an event type runs, in which order, on which lane.

A flow is declarative data; a step is a named async function registered in
`carinho.integracoes.flows.steps` (see `carinho.integracoes.flows.step_api.step`). Adding an automation
means writing one step function and naming it in the flow of its event types.
"""

from __future__ import annotations

from dataclasses import dataclass

from carinho.worker.lanes import Lane

DELIVER_WEBHOOKS = "deliver_webhooks"

PROCESS_EVENT_JOB = "integracoes.process_event"


@dataclass(frozen=True)
class Flow:
    event_type: str
    lane: Lane
    steps: tuple[str, ...]


_flows: dict[str, Flow] = {}


def register_flow(event_type: str, lane: Lane, steps: tuple[str, ...] | list[str]) -> Flow:
    """Declare (or replace) the flow of an event type. Steps run in the given order."""
    if not steps:
        raise ValueError(f"the flow of {event_type!r} needs at least one step")
    if len(set(steps)) != len(steps):
        raise ValueError(f"the flow of {event_type!r} names a step twice")
    flow = Flow(event_type, lane, tuple(steps))
    _flows[event_type] = flow
    return flow


# WhatsApp and site leads are critical; notifications and batch syncs get their own lanes so they
# never hold the critical ones back. Business steps (CRM, Z-API sends, ...) go before the delivery.
for _type, _lane in (
    ("whatsapp.message.received", Lane.integrations_high),
    ("lead.created", Lane.integrations_high),
    ("whatsapp.message.status", Lane.integrations),
    ("whatsapp.delivery", Lane.integrations),
    ("client.registered", Lane.integrations),
    ("service.completed", Lane.integrations),
    ("payment.received", Lane.integrations),
    ("payout.processed", Lane.integrations),
    ("feedback.received", Lane.integrations),
):
    register_flow(_type, _lane, (DELIVER_WEBHOOKS,))

# Lanes of event families that have no flow of their own yet.
_PREFIX_LANES: tuple[tuple[str, Lane], ...] = (
    ("whatsapp.", Lane.integrations_high),
    ("lead.", Lane.integrations_high),
    ("notification.", Lane.notifications),
    ("sync.", Lane.integrations_low),
)

RETRY_LANE = Lane.integrations_retry

# Steps that run on a lane of their own, whatever the lane of their event's flow: a run reaching one
# hands the rest of the event over to a run on that lane (outbound greetings go to `notifications`,
# so they never hold the lane that carries inbound messages).
_step_lanes: dict[str, Lane] = {}


def register_step_lane(step_name: str, lane: Lane) -> None:
    _step_lanes[step_name] = lane


def step_lane(step_name: str) -> Lane | None:
    return _step_lanes.get(step_name)


def get_flow(event_type: str) -> Flow | None:
    return _flows.get(event_type)


def flows() -> dict[str, Flow]:
    return dict(_flows)


def handles(event_type: str) -> bool:
    """Whether some flow processes this type; events of other types are stored as `ignored`."""
    return event_type in _flows


def lane_for(event_type: str) -> Lane:
    """The lane of an event's first processing run (retries always go to `integrations-retry`)."""
    flow = _flows.get(event_type)
    if flow is not None:
        return flow.lane
    for prefix, lane in _PREFIX_LANES:
        if event_type.startswith(prefix):
            return lane
    return Lane.integrations
