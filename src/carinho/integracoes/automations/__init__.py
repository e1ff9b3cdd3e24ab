"""The hub's business automations (seed modules 1–4): named, idempotent steps plugged into the flow
registry. `flows.py` declares which steps each event type runs; importing `tasks` loads them all."""
