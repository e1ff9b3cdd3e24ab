"""The flow registry: which steps an event type runs, in which order, on which lane.

The flows themselves are declared once, in the flow table (`carinho.integracoes.flows.table`); a
step is a named async function under `carinho.integracoes.flows.steps` (written against
`carinho.integracoes.flows.step_api`). This module answers questions about them. The table is
imported on first use, not here: its steps import the event service, which imports this module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from carinho.worker.lanes import Lane

DELIVER_WEBHOOKS = "deliver_webhooks"

PROCESS_EVENT_JOB = "integracoes.process_event"

FLOW_TABLE_MODULE = "carinho.integracoes.flows.table"


@dataclass(frozen=True)
class Flow:
    event_type: str
    lane: Lane
    steps: tuple[str, ...]


_flows: dict[str, Flow] = {}


def load_table() -> None:
    """Register every flow of the table and every step it names (a no-op once done)."""
    importlib.import_module(FLOW_TABLE_MODULE)


def register_flow(event_type: str, lane: Lane, steps: tuple[str, ...] | list[str]) -> Flow:
    """Declare (or replace) the flow of an event type. Steps run in the given order."""
    load_table()  # first, so a flow declared elsewhere (a test's) replaces the table's, never the reverse
    if not steps:
        raise ValueError(f"the flow of {event_type!r} needs at least one step")
    if len(set(steps)) != len(steps):
        raise ValueError(f"the flow of {event_type!r} names a step twice")
    flow = Flow(event_type, lane, tuple(steps))
    _flows[event_type] = flow
    return flow


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
    load_table()
    _step_lanes[step_name] = lane


def step_lane(step_name: str) -> Lane | None:
    load_table()
    return _step_lanes.get(step_name)


def get_flow(event_type: str) -> Flow | None:
    load_table()
    return _flows.get(event_type)


def flows() -> dict[str, Flow]:
    load_table()
    return dict(_flows)


def handles(event_type: str) -> bool:
    """Whether some flow processes this type; events of other types are stored as `ignored`."""
    load_table()
    return event_type in _flows


# Events of a type that run on another lane than their flow's when they come from a given source.
_source_lanes: dict[tuple[str, str], Lane] = {}


def register_source_lane(event_type: str, source: str, lane: Lane) -> None:
    load_table()
    _source_lanes[(event_type, source)] = lane


def lane_for(event_type: str, source: str | None = None) -> Lane:
    """The lane of an event's first processing run (retries always go to `integrations-retry`)."""
    flow = get_flow(event_type)
    if source is not None and (event_type, source) in _source_lanes:
        return _source_lanes[(event_type, source)]
    if flow is not None:
        return flow.lane
    for prefix, lane in _PREFIX_LANES:
        if event_type.startswith(prefix):
            return lane
    return Lane.integrations
