"""Loads the automations: their steps and flows, and the delayed feedback-request job."""

from carinho.integracoes.automations import feedback, flows

__all__ = ["feedback", "flows"]
