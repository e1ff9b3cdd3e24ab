"""Atendimento connector (docs/contratos/atendimento.md)."""

from carinho.connectors.atendimento.client import AtendimentoClient, Notification

__all__ = ["AtendimentoClient", "Notification"]
