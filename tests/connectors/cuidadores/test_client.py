"""The cuidadores client against its simulator (docs/contratos/cuidadores.md)."""

from __future__ import annotations

from carinho.connectors.cuidadores import CuidadoresClient
from carinho.connectors.cuidadores.schemas import CaregiverFeedbackInput
from carinho.kit import clock
from tests.sandbox.harness import RunningSandbox


async def test_caregivers_and_feedback_changes_them(sandbox: RunningSandbox) -> None:
    async with CuidadoresClient(sandbox.settings) as cuidadores:
        everyone = [c async for c in cuidadores.caregivers()]
        assert len(everyone) == 6
        assert all(c.neighborhoods and c.skills for c in everyone)
        active = await cuidadores.list_caregivers(status="ativo")
        assert active.meta.total == 5

        watermark = clock.utcnow()
        assert [c async for c in cuidadores.caregivers(updated_since=watermark)] == []
        feedback = await cuidadores.record_feedback(2, CaregiverFeedbackInput(service_id="5", rating=10))
        assert feedback.caregiver_id == 2
        changed = [c async for c in cuidadores.caregivers(updated_since=watermark)]
        assert [c.id for c in changed] == [2]
        assert (await cuidadores.get_caregiver(2)).rating_avg == 10
