"""The local steps of a WhatsApp message that say from their context alone that they have nothing to
do: the runner records their output without running them, nor opening their savepoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS
from carinho.integracoes.flows.step_api import EventSnapshot, RunConfig, RunMemory, StepContext, nothing_to_do
from carinho.integracoes.flows.steps.whatsapp import FEEDBACK_REPLY, FIND_OR_CREATE_LEAD, RAISE_LEAD_CREATED

PHONE = "5511912345678"


def _context(
    step: str, payload: dict[str, Any], memory: RunMemory | None = None, config: RunConfig | None = None
) -> StepContext:
    return StepContext(
        session=cast(AsyncSession, None),  # never touched: the checks read the context only
        event=EventSnapshot(1, "zapi", "whatsapp.message.received", "k", datetime.now(UTC), "u" * 32),
        payload=payload,
        step_name=step,
        idempotency_key=f"evt.{step}",
        attempt=1,
        config=config or RunConfig(),
        memory=memory,
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"phone": PHONE, "text": "Olá, tudo bem?"}, {"skipped": "not a rating"}),
        ({"phone": PHONE, "text": None}, {"skipped": "not a rating"}),
        ({"phone": PHONE, "text": "9 adorei", "from_me": True}, {"skipped": "not a reply from a client"}),
        ({"phone": PHONE, "text": "9 adorei", "is_group": True}, {"skipped": "not a reply from a client"}),
        ({"phone": PHONE, "text": "9 adorei"}, None),  # a rating: the step looks for an open request
        ({"phone": PHONE, "text": "nota 10"}, None),
    ],
)
def test_the_feedback_match_runs_only_for_a_clients_rating(
    payload: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert nothing_to_do(FEEDBACK_REPLY, _context(FEEDBACK_REPLY, payload)) == expected


def _lead(created: bool) -> RunMemory:
    return RunMemory({FIND_OR_CREATE_LEAD: {"crm_lead_id": 7, "created": created}}, raw_body=None)


def test_a_lead_created_is_raised_only_for_a_first_contact_and_never_without_the_runs_memory() -> None:
    person = {"phone": PHONE, "text": "Olá"}
    assert nothing_to_do(RAISE_LEAD_CREATED, _context(RAISE_LEAD_CREATED, person, _lead(False))) == {
        "skipped": "not a first contact"
    }
    assert nothing_to_do(RAISE_LEAD_CREATED, _context(RAISE_LEAD_CREATED, person, _lead(True))) is None
    skipped_lead = RunMemory({FIND_OR_CREATE_LEAD: {"skipped": "no phone"}}, raw_body=None)
    assert nothing_to_do(RAISE_LEAD_CREATED, _context(RAISE_LEAD_CREATED, person, skipped_lead)) == {
        "skipped": "not a first contact"
    }
    ours = {**person, "from_me": True}
    assert nothing_to_do(RAISE_LEAD_CREATED, _context(RAISE_LEAD_CREATED, ours, _lead(True))) == {
        "skipped": "sent by the company"
    }
    # Without the run's memory the outputs are not known here: the step runs and reads them.
    assert nothing_to_do(RAISE_LEAD_CREATED, _context(RAISE_LEAD_CREATED, person)) is None


def test_the_delivery_step_has_nothing_to_do_only_when_no_endpoint_was_enabled() -> None:
    none_enabled = RunConfig(mappings=None, endpoints_enabled=False)
    assert nothing_to_do(DELIVER_WEBHOOKS, _context(DELIVER_WEBHOOKS, {}, config=none_enabled)) == {
        "deliveries": []
    }
    assert nothing_to_do(DELIVER_WEBHOOKS, _context(DELIVER_WEBHOOKS, {})) is None
