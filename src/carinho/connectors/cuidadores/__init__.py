"""Cuidadores connector (docs/contratos/cuidadores.md)."""

from carinho.connectors.cuidadores.client import CuidadoresClient

__all__ = ["CuidadoresClient"]
