"""Loads the automations: their steps and flows, and the delayed feedback-request job."""

from carinho.integracoes.automations import feedback, flows
from carinho.integracoes.mappings import deliveries as mapped_deliveries

__all__ = ["feedback", "flows", "mapped_deliveries"]
