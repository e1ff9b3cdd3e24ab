"""The flow table is the one declaration of the hub's flows: the registry answers from all of it
whatever was imported first, and every step it names is registered."""

from __future__ import annotations

import subprocess
import sys

from carinho.integracoes.flows import registry, table
from carinho.integracoes.flows.step_api import get_step
from carinho.worker import Lane


def test_every_step_of_the_table_is_registered() -> None:
    names = {name for _, steps in table.FLOWS.values() for name in steps}
    assert all(callable(get_step(name)) for name in names)  # get_step raises for an unknown name
    assert set(table.STEP_LANES) <= names


def test_the_registry_answers_from_the_table() -> None:
    for event_type, (lane, steps) in table.FLOWS.items():
        flow = registry.get_flow(event_type)
        assert flow is not None and (flow.lane, flow.steps) == (lane, steps)
    assert registry.step_lane(next(iter(table.STEP_LANES))) is Lane.notifications


def test_a_process_that_imports_only_the_registry_knows_every_flow() -> None:
    # Before there was one table, such a process saw delivery-only flows and no `feedback.requested`.
    code = (
        "from carinho.integracoes.flows import registry\n"
        "flow = registry.get_flow('lead.created')\n"
        "print(registry.handles('feedback.requested'), len(flow.steps) > 1,"
        " registry.lane_for('feedback.requested'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", Lane.notifications.value]
