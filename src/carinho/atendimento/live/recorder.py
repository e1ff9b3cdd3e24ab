"""Recording live changes: `live_changes` rows in the very transaction of each change the inbox shows.

Hooks on atendimento's Session class (`AtendimentoSession`; the hub's sessions use the plain
Session and never run them):

- `after_flush` looks at what the flush inserted or updated — a conversation, a message (delivery
  ticks included), an SLA row, an incident — and notes (conversation id, kind) in `session.info`:
  no SQL. New rows have their ids by then.
- `before_commit` flushes what is left and writes every noted pair of the transaction with one
  INSERT on its connection; flushes that still come after it (a listener that dirtied the session
  late) write their own.
- The end of the transaction forgets what was noted (a rollback writes nothing).
- `after_commit` of a transaction that wrote rows calls the commit listeners (`on_commit`): the
  change feed of this process polls at once instead of at its next tick. Other processes' writes
  are still found by the poll.

So a change commits with the data or rolls back with it: a browser is told about it exactly when
it is there to be read. One INSERT per transaction, not per flush: an inbound message that opens a
conversation flushes ~15 times, 8 of them with changes (one conversation, a few kinds).

Core UPDATE statements bypass the ORM and so these hooks: code that changes what the inbox shows
that way calls `record` or `record_messages` itself (inbox/sending.py, retention's scrubs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.attributes import get_history, instance_state
from sqlalchemy.orm.base import PassiveFlag

from carinho.atendimento.database import AtendimentoSession
from carinho.atendimento.inbox.models import Conversation, Message
from carinho.atendimento.incidents.models import Incident
from carinho.atendimento.live.models import ChangeKind, LiveChange
from carinho.atendimento.sla.models import ConversationSla, SlaBreach, SlaTarget
from carinho.kit.clock import utcnow
from carinho.kit.db import UTCDateTime

TABLE: Table = LiveChange.__table__  # type: ignore[assignment]
_INSERT = insert(TABLE)
# session.info keys: the pairs noted in the current transaction; set while it commits.
PENDING = "live_changes.pending"
COMMITTING = "live_changes.committing"
WROTE = "live_changes.wrote"
# Called (in the committing thread) after a transaction that wrote live_changes rows commits.
_commit_listeners: set[Callable[[], None]] = set()

# The kind a new row of each watched class records, and the kind an update of it records.
# (A conversation's update also records `assignment` when its assignee or level moved.)
WATCHED: dict[type[Any], tuple[ChangeKind, ChangeKind]] = {
    Conversation: (ChangeKind.conversation, ChangeKind.conversation),
    Message: (ChangeKind.message, ChangeKind.delivery),
    ConversationSla: (ChangeKind.sla, ChangeKind.sla),
    SlaTarget: (ChangeKind.sla, ChangeKind.sla),
    SlaBreach: (ChangeKind.sla, ChangeKind.sla),
    Incident: (ChangeKind.incident, ChangeKind.incident),
}
# Attributes of a conversation that decide who may see it (inbox/access.py).
VISIBILITY_ATTRIBUTES = frozenset({"assignee_id", "level"})
_NO_LOAD = PassiveFlag.PASSIVE_NO_INITIALIZE


def _conversation_of(obj: Any) -> int | None:
    value = obj.id if type(obj) is Conversation else obj.conversation_id
    return None if value is None else int(value)


def _changed(obj: Any) -> list[str]:
    """The attributes of `obj` with a net change, among the few that were set (`dirty` is optimistic:
    any assignment puts an object there, even of the value it had; only a net change is an UPDATE)."""
    return [
        key
        for key in instance_state(obj).committed_state
        if get_history(obj, key, passive=_NO_LOAD).has_changes()
    ]


def changes_of(session: Session) -> set[tuple[int, str]]:
    """(conversation id, kind) of what the flush being finished inserted or updated (in `after_flush`
    the session still lists the flush's new and dirty objects, and new ones have their ids)."""
    found: set[tuple[int, str]] = set()
    for obj in session.new:
        kinds = WATCHED.get(type(obj))
        if kinds is not None and (conversation_id := _conversation_of(obj)) is not None:
            found.add((conversation_id, kinds[0]))
    for obj in session.dirty:
        kinds = WATCHED.get(type(obj))
        if kinds is None or (conversation_id := _conversation_of(obj)) is None:
            continue
        changed = _changed(obj)
        if not changed:
            continue
        found.add((conversation_id, kinds[1]))
        if type(obj) is Conversation and VISIBILITY_ATTRIBUTES.intersection(changed):
            found.add((conversation_id, ChangeKind.assignment))
    return found


def _rows(pairs: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    now = utcnow()
    return [{"conversation_id": c, "kind": str(k), "created_at": now} for c, k in sorted(pairs)]


def _write(session: Session, pairs: set[tuple[int, str]]) -> None:
    session.connection().execute(_INSERT, _rows(pairs))
    session.info[WROTE] = True


def on_commit(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` after each commit that wrote live changes; returns the unsubscribe."""
    _commit_listeners.add(listener)
    return lambda: _commit_listeners.discard(listener)


def note(session: Session, pairs: Iterable[tuple[int, str]]) -> None:
    """Have these (conversation id, kind) pairs written when the session's transaction commits."""
    if session.info.get(COMMITTING):
        if fresh := set(pairs):
            _write(session, fresh)
        return
    session.info.setdefault(PENDING, set()).update(pairs)


@event.listens_for(AtendimentoSession, "after_flush")
def _after_flush(session: Session, _: UOWTransaction) -> None:
    if pairs := changes_of(session):
        note(session, pairs)


@event.listens_for(AtendimentoSession, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: the outer transaction writes
    session.flush()  # what the commit would flush next, noted now
    session.info[COMMITTING] = True
    if pairs := session.info.pop(PENDING, None):
        _write(session, pairs)


@event.listens_for(AtendimentoSession, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(WROTE, False):
        for listener in tuple(_commit_listeners):
            listener()


@event.listens_for(AtendimentoSession, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(COMMITTING, None)
        session.info.pop(WROTE, None)


def record(session: AsyncSession, kind: ChangeKind, conversation_ids: Iterable[int]) -> None:
    """A change of these conversations made outside the ORM (a Core UPDATE): written with the rest
    when the session's transaction commits."""
    note(session.sync_session, {(int(c), kind) for c in conversation_ids})


async def record_messages(session: AsyncSession, kind: ChangeKind, message_ids: Sequence[int]) -> None:
    """`record` for the conversations of these messages, written at once by an INSERT that finds them
    itself (no round trip to read them first)."""
    if not message_ids:
        return
    conversations: Select[int, str, datetime] = (
        select(
            Message.conversation_id,
            bindparam("kind", str(kind)),
            bindparam("created_at", utcnow(), type_=UTCDateTime()),
        )
        .where(Message.id.in_(message_ids))
        .distinct()
    )
    await session.execute(insert(TABLE).from_select(["conversation_id", "kind", "created_at"], conversations))
    session.sync_session.info[WROTE] = True
