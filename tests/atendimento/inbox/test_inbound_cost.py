"""What a customer's message costs in statements: what one inbound message needs is read once, and
a first contact looks up nothing it has just created (issue 18: every statement is a hop to the
database thread, every write a share of the commit)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import event

from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at, post_webhook, received

_TARGET = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+[\"`]?(\w+)", re.I)


class Statements:
    """The statements an engine ran, as "VERB table" (SQLAlchemy cursor events)."""

    def __init__(self, rt: Runtime) -> None:
        self.engine = rt.db("atendimento").engine.sync_engine
        self.ran: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        verb = sql.split(None, 1)[0].upper()
        match = _TARGET.search(sql) if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else None
        self.ran.append(f"{verb} {match.group(1)}" if match else verb)

    def count(self, what: str) -> int:
        return self.ran.count(what)

    def until(self, what: str) -> list[str]:
        return self.ran[: self.ran.index(what)]


async def test_a_first_contact_reads_the_rules_once_and_looks_up_nothing_it_created(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    freeze_at(OPEN_INSTANT)
    with Statements(seeded) as first:
        response = await post_webhook(atendimento, received("COST-1", phone="5511900000002"))
    assert response.status_code == 200 and response.json()["new_conversation"] is True
    assert first.count("SELECT auto_message_rules") == 1  # welcome, out of hours, round-robin: one read
    assert first.count("INSERT messages") == 2  # the customer's and the welcome
    # The contact is new: no conversation, survey or SLA state of it to look for, nothing to update
    # right after inserting it, and no relation of its new conversation to read back.
    assert "SELECT conversations" not in first.until("INSERT conversations")
    assert first.count("SELECT satisfaction_surveys") == 0
    assert first.count("SELECT sla_conversations") == 0
    assert first.count("UPDATE contacts") == 0
    assert first.count("SELECT labels") == 0

    with Statements(seeded) as second:
        response = await post_webhook(atendimento, received("COST-2", phone="5511900000002"))
    assert response.status_code == 200 and response.json()["new_conversation"] is False
    assert second.count("SELECT auto_message_rules") == 1
    assert second.count("SELECT contacts") == 1  # by its phone; the conversation's contact is that one
    assert second.count("SELECT conversation_labels") == 0
