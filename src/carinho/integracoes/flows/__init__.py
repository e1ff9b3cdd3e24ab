"""Flows: each event type's ordered, named steps and the lane its processing runs on."""
