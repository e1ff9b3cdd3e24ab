"""The inbox's search in message texts: conversations with a message containing a term,
case-insensitive, written per database so each answers it from what it indexes.

- PostgreSQL: `conversations.id IN (SELECT conversation_id FROM messages WHERE lower(content) LIKE …)`,
  answered from the trigram index `ix_messages_content_trgm` (gin, `pg_trgm`; migration 0012) in a
  fraction of a millisecond. Measured on 200,000 messages (docs/benchmarks.md): a search over every
  status 0.8–1.0 s → ~0.1 s. (Without the index this form would be slower than the one below:
  the two go together. `pg_trgm` is a trusted extension since PostgreSQL 13: the database owner
  creates it, no superuser needed.)
- Elsewhere: a correlated EXISTS that reads each candidate conversation's messages through its
  (conversation_id, created_at) index; the OFFSET 0 keeps PostgreSQL (without the index) from
  hashing every message in the database under an OR.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from carinho.atendimento.inbox.models import Conversation, Message


def like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class MessageTextMatch(ColumnElement[bool]):
    """True for a conversation with a message whose text contains `term` (case-insensitive)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]  # noqa: RUF012 (SQLAlchemy's)

    def __init__(self, term: str) -> None:
        self.condition = func.lower(Message.content).like(like_pattern(term.strip().lower()), escape="\\")


@compiles(MessageTextMatch)
def _correlated(element: MessageTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    match = select(literal(1)).where(Message.conversation_id == Conversation.id, element.condition)
    return compiler.process(match.offset(0).exists(), **kw)


@compiles(MessageTextMatch, "postgresql")
def _from_trigram_index(element: MessageTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    matching = select(Message.conversation_id).where(element.condition)
    return compiler.process(Conversation.id.in_(matching), **kw)


def message_text_match(term: str) -> MessageTextMatch:
    return MessageTextMatch(term)
