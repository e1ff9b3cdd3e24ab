"""A signal's receivers run by phase (atendimento/signals.py), then in the order they connected: the
funnel's stage before the SLA's clocks, the automatic messages after both, the CRM push last."""

from __future__ import annotations

from typing import Any

from carinho.atendimento import signals
from carinho.atendimento.signals import Phase, Signal


async def test_receivers_run_by_phase_then_in_connection_order() -> None:
    ran: list[str] = []

    def receiver(name: str) -> signals.Receiver:
        async def receive(session: object, **kwargs: Any) -> None:
            ran.append(f"{name}:{kwargs['n']}")

        return receive

    signal = Signal("test")
    crm, automations, sla, escalation, funnel = (
        receiver(n) for n in ("crm", "automations", "sla", "escalation", "funnel")
    )
    signal.connect(crm, Phase.sync)
    signal.connect(automations, Phase.answer)
    signal.connect(sla)
    signal.connect(escalation)
    signal.connect(funnel, Phase.stage)
    signal.connect(sla)  # connecting twice changes nothing
    await signal.send(None, n=1)  # type: ignore[arg-type]  # no receiver reads the session
    assert ran == ["funnel:1", "sla:1", "escalation:1", "automations:1", "crm:1"]


def test_every_process_connects_the_listeners_of_the_inbox_in_their_phases() -> None:
    from carinho.atendimento import tasks  # what every process loads

    assert tasks.automations_receivers and tasks.crm_receivers and tasks.funnel_receivers
    modules = [r.__module__.split(".")[2] for r in signals.message_received._receivers]
    assert modules[-2:] == ["automations", "crm"] and {"sla", "escalation"} <= set(modules[:-2])
    assert [r.__module__.split(".")[2] for r in signals.message_queued._receivers] == ["funnel", "sla"]
    assert [r.__module__.split(".")[2] for r in signals.status_changed._receivers][-1] == "automations"
    assert [r.__module__.split(".")[2] for r in signals.triage_completed._receivers] == ["funnel", "crm"]
