"""Operação hears of an escalation through a job on the high lane, retried until it answers, with
one idempotency key: the simulator (on a real socket) fails at first and records exactly one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from carinho import runtime
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.escalation.models import OperacaoStatus
from carinho.runtime import Runtime
from carinho.sandbox.faults import FaultSettings
from carinho.worker.lanes import Lane
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import alerts, escalations, message
from tests.sandbox.harness import revalidated, running_sandbox, sandbox_settings
from tests.support.jobs import drain, outbox_rows


async def test_operacao_gets_the_escalation_once_after_failing_at_first(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, tmp_path: Path
) -> None:
    async with running_sandbox(sandbox_settings(tmp_path)) as sandbox:
        rt = runtime.configure(
            revalidated(
                seeded.settings,
                zapi_enabled=False,
                carinho_operacao_url=sandbox.settings.carinho_operacao_url,
                carinho_operacao_api_key=sandbox.settings.carinho_operacao_api_key.get_secret_value(),
            )
        )
        freeze_at(OPEN_INSTANT)
        supervisor = await make_agent(Role.supervisor)
        await make_agent(Role.agent, SupportLevel.n2)
        conversation_id = await message(atendimento, phone="5511911117001")
        await drain(rt, ("atendimento",))
        sandbox.state.faults["operacao"].update(FaultSettings(fail_next=2, fail_status=503))

        done = await supervisor.post(
            f"/api/conversations/{conversation_id}/escalate",
            json={"reason": "Cuidadora não compareceu ao plantão", "notify_operacao": True},
        )
        assert done.status_code == 201, done.text
        assert done.json()["operacao_status"] == OperacaoStatus.pending.value
        jobs = [
            r
            for r in await outbox_rows(rt, "atendimento")
            if r.job == "atendimento.escalation_notify_operacao"
        ]  # type: ignore[attr-defined]
        assert [r.lane for r in jobs] == [Lane.atendimento_high.value]  # type: ignore[attr-defined]

        await drain(rt, ("atendimento",))
        [row] = await escalations(rt, conversation_id)
        assert (row.operacao_status, row.operacao_attempts) == ("pending", 1)
        assert row.operacao_error and "tentativa 1" in row.operacao_error
        # The retry waits its delay: nothing more happens until the clock passes it.
        await drain(rt, ("atendimento",))
        assert (await escalations(rt, conversation_id))[0].operacao_attempts == 1
        freeze_at(OPEN_INSTANT + timedelta(minutes=1))
        await drain(rt, ("atendimento",))
        assert (await escalations(rt, conversation_id))[0].operacao_attempts == 2
        freeze_at(OPEN_INSTANT + timedelta(minutes=5))
        await drain(rt, ("atendimento",))

        [row] = await escalations(rt, conversation_id)
        assert (row.operacao_status, row.operacao_attempts) == ("delivered", 3)
        assert row.operacao_protocol and row.operacao_protocol.startswith("ESC-")
        assert row.operacao_error is None
        recorded = await sandbox.state.store.all("operacao", "escalations")
        assert len(recorded) == 1
        assert recorded[0]["conversation_id"] == conversation_id
        assert recorded[0]["level"] == "n2"
        assert recorded[0]["reason"] == "Cuidadora não compareceu ao plantão"
        calls = [r for r in sandbox.state.recorder.list("operacao") if r.path.endswith("/escalations")]
        assert [c.status for c in calls] == [503, 503, 201]
        assert len({c.headers.get("idempotency-key") for c in calls}) == 1
        assert await alerts(rt, "escalation_operacao_failed") == []

        # Once delivered, a job run again (at-least-once) does not call operação again.
        freeze_at(OPEN_INSTANT + timedelta(minutes=30))
        await drain(rt, ("atendimento",))
        assert len(await sandbox.state.store.all("operacao", "escalations")) == 1


async def test_without_the_flag_operacao_hears_nothing(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await message(atendimento, phone="5511911117002")
    done = await supervisor.post(
        f"/api/conversations/{conversation_id}/escalate", json={"reason": "Dúvida técnica"}
    )
    assert done.json()["operacao_status"] is None
    jobs = [
        r
        for r in await outbox_rows(seeded, "atendimento")
        if r.job == "atendimento.escalation_notify_operacao"
    ]  # type: ignore[attr-defined]
    assert jobs == []
