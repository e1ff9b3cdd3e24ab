"""The dead-letter queue: work whose retries ran out, with full context, to retry or archive."""
