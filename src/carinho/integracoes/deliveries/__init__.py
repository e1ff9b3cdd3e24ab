"""Deliveries: one signed webhook per (event, endpoint), with its attempts, retries and DLQ."""
