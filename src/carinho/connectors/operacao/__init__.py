"""Operação connector (docs/contratos/operacao.md)."""

from carinho.connectors.operacao.client import OperacaoClient

__all__ = ["OperacaoClient"]
