"""How urgent a conversation is, as a property of its data: what every list of conversations sorts by
first, so that an emergency is always on top.

An emergency makes its conversation `urgent` (incidents/emergencies.py) and is never left without an
owner (incidents/ownership.py). Lists put urgent conversations first, then the more pressing
priorities; within a priority each list keeps its own order (the API's search: latest activity; the
inbox page: the earliest SLA deadline, then the longest wait).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from carinho.atendimento.inbox.models import Conversation, Priority

PRIORITY_RANK = {
    Priority.urgent.value: 0,
    Priority.high.value: 1,
    Priority.normal.value: 2,
    Priority.low.value: 3,
}


def urgent_first() -> Any:
    """ORDER BY term: 0 for an urgent conversation (an emergency), 1 for any other."""
    return case((Conversation.priority == Priority.urgent.value, 0), else_=1)


def priority_rank() -> Any:
    """ORDER BY term: urgent 0, high 1, normal 2, low 3 (an unknown value counts as normal)."""
    return case(PRIORITY_RANK, value=Conversation.priority, else_=PRIORITY_RANK[Priority.normal.value])
