"""Inbound webhooks: verify, validate, normalise, store durably (with the processing job), answer."""
