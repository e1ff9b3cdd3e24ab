"""messages: a trigram index for the inbox's search in message texts (PostgreSQL only)

`inbox/text_search.py` asks PostgreSQL `conversations.id IN (SELECT conversation_id FROM messages
WHERE lower(content) LIKE '%…%')`, which this index answers. SQLite and MariaDB keep reading each
candidate conversation's messages through its (conversation_id, created_at) index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_messages_content_trgm ON messages USING gin (lower(content) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_messages_content_trgm")
