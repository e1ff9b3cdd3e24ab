"""Financeiro connector (docs/contratos/financeiro.md)."""

from carinho.connectors.financeiro.client import FinanceiroClient

__all__ = ["FinanceiroClient"]
