"""The hub's operations console: server-rendered pages (Jinja2 + htmx + SSE, the shared UI kit) for
the people who operate the hub — events, steps, deliveries, the DLQ, syncs, mappings, endpoints, API
keys and alerts — on the same services as the JSON API."""
