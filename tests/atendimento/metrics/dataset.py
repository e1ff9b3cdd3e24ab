"""A small data set whose live metrics are known by hand (see test_live_metrics.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent

# Tuesday 10:30 in São Paulo (13:30 UTC); the seeded schedule opens at 08:00. Today began at 03:00 UTC.
NOW = OPEN_INSTANT + timedelta(minutes=30)
MIN = timedelta(minutes=1)


@dataclass
class Dataset:
    supervisor: Api
    agents: dict[str, Api] = field(default_factory=dict)
    conversations: dict[str, int] = field(default_factory=dict)


async def build(rt: Runtime, make_agent: MakeAgent) -> Dataset:
    data = Dataset(supervisor=await make_agent(Role.supervisor, name="Supervisora"))
    data.agents["a1"] = await make_agent(Role.agent, SupportLevel.n1, capacity=4, name="Ana")
    data.agents["a2"] = await make_agent(Role.agent, SupportLevel.n2, capacity=5, name="Bia")
    data.agents["a3"] = await make_agent(Role.agent, SupportLevel.n1, capacity=2, name="Caio")
    data.agents["a4"] = await make_agent(Role.agent, SupportLevel.n1, capacity=5, name="Duda")
    ids = {key: api.agent_id for key, api in data.agents.items()}
    rows: dict[str, Conversation] = {}
    async with rt.db("atendimento").session() as session:
        logins = {"a1": NOW - 10 * MIN, "a2": NOW - 5 * MIN, "a3": NOW - 120 * MIN, "a4": NOW - 120 * MIN}
        for key, at in logins.items():
            await session.execute(update(Agent).where(Agent.id == ids[key]).values(last_login_at=at))
        # Bia logged in but is on a break.
        await session.execute(update(Agent).where(Agent.id == ids["a2"]).values(available=False))
        # Caio logged in two hours ago but acted three minutes ago.
        session.add(
            HistoryEntry(
                action="conversation.assigned",
                actor_type="agent",
                actor_id=ids["a3"],
                actor_name="Caio",
                created_at=NOW - 3 * MIN,
            )
        )

        def conversation(key: str, status: str, level: str, assignee: str | None, **times: datetime) -> None:
            contact = Contact(phone=f"55119000000{len(rows):02d}", name=key)
            session.add(contact)
            row = Conversation(
                contact=contact,
                status=status,
                level=level,
                assignee_id=ids[assignee] if assignee else None,
                created_at=times.pop("created_at", NOW - 60 * MIN),
                **times,
            )
            session.add(row)
            rows[key] = row

        conversation("c1", "open", "N1", None, waiting_since=NOW - 30 * MIN)
        conversation("c2", "open", "N1", None, waiting_since=NOW - 180 * MIN, created_at=NOW - 180 * MIN)
        conversation(
            "c3", "pending", "N1", "a1", waiting_since=NOW - 10 * MIN,
            created_at=NOW - 40 * MIN, first_response_at=NOW - 25 * MIN,
        )  # fmt: skip
        conversation(
            "c4",
            "waiting_customer",
            "N2",
            "a1",
            created_at=NOW - 300 * MIN,
            first_response_at=NOW - 240 * MIN,
        )
        conversation("c5", "open", "N2", None, waiting_since=NOW - 20 * MIN)
        conversation("c6", "open", "N3", "a3")
        conversation(
            "c7", "resolved", "N1", "a1", created_at=NOW - 180 * MIN,
            first_response_at=NOW - 160 * MIN, resolved_at=NOW - 60 * MIN,
        )  # fmt: skip
        conversation(
            "c8", "closed", "N2", None, created_at=NOW - timedelta(days=1),
            first_response_at=NOW - timedelta(days=1) + 30 * MIN, resolved_at=NOW - 30 * MIN,
        )  # fmt: skip
        conversation(
            "c9", "resolved", "N1", None, created_at=NOW - timedelta(days=2),
            first_response_at=NOW - timedelta(days=2) + 5 * MIN, resolved_at=NOW - timedelta(hours=14),
        )  # fmt: skip
        await session.flush()
        data.conversations = {key: row.id for key, row in rows.items()}
        c1 = data.conversations["c1"]

        def message(at: datetime, direction: str, **extra: object) -> None:
            sender = "contact" if direction == "inbound" else "agent"
            session.add(
                Message(
                    conversation_id=c1,
                    direction=direction,
                    sender_type=extra.pop("sender_type", sender),
                    delivery_status=extra.pop(
                        "delivery_status", "received" if sender == "contact" else "sent"
                    ),
                    content="x",
                    created_at=at,
                    **extra,
                )
            )

        # Current hour (13:00 UTC): 2 in, 1 out by Duda (who is seen through it), 2 failed sends.
        message(NOW - 5 * MIN, "inbound")
        message(NOW - 5 * MIN, "inbound")
        message(NOW - 10 * MIN, "outbound", agent_id=ids["a4"])
        for _ in range(2):
            message(NOW - 20 * MIN, "outbound", delivery_status="failed", failed_at=NOW - 20 * MIN)
        # 12:00: 3 in, 1 out, and a private note (not a message to the customer).
        for _ in range(3):
            message(NOW - 50 * MIN, "inbound")
        message(NOW - 50 * MIN, "outbound", sender_type="automation")
        message(NOW - 50 * MIN, "outbound", private=True, kind="note")
        # 11:00: a send that failed (today, not in the last hour).
        message(NOW - 120 * MIN, "outbound", delivery_status="failed", failed_at=NOW - 120 * MIN)
        # Yesterday 14:00, the first of the 24 hours; and 25 hours ago, outside them.
        message(NOW - timedelta(hours=23, minutes=20), "inbound")
        message(NOW - timedelta(hours=25), "inbound")
        message(
            NOW - timedelta(hours=26),
            "outbound",
            delivery_status="failed",
            failed_at=NOW - timedelta(hours=26),
        )
        await session.commit()
    return data
