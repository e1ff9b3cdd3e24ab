"""The WhatsApp inbox (InboxService): contacts, conversations, messages, notes, assignment, sending."""
