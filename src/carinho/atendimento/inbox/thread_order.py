"""The order a conversation's messages are read in.

A customer's burst can reach atendimento out of order (the hub forwards in parallel, with retries):
a received message takes its place in the thread at the moment WhatsApp says it was sent, when that
is within the last few minutes before it arrived; older or future moments (a replay, a phone whose
clock is wrong) keep the arrival. Everything else about the message — `created_at`, what counts
as unread, the SLA clocks — goes by its arrival: this is only the reading order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from carinho.atendimento.inbox.models import Direction, Message

SENT_ORDER_WINDOW = timedelta(minutes=5)


def thread_time(moment: datetime | None, arrived: datetime) -> datetime:
    """When a received message stands in the thread: WhatsApp's moment if recent, else arrival."""
    if moment is not None and arrived - SENT_ORDER_WINDOW <= moment <= arrived:
        return moment
    return arrived


def in_thread_order(messages: Iterable[Message]) -> list[Message]:
    def place(message: Message) -> tuple[datetime, int]:
        if message.direction == Direction.inbound.value:
            return thread_time(message.sent_at, message.created_at), message.id
        return message.created_at, message.id

    return sorted(messages, key=place)
