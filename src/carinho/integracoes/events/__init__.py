"""Integration events: every webhook or API call the hub accepted, durable and idempotent."""
