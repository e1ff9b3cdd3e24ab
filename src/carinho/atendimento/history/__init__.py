"""Append-only audit trail of every action on conversations (ConversationHistoryService)."""
