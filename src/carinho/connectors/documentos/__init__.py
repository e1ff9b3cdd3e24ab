"""Documentos connector (docs/contratos/documentos.md)."""

from carinho.connectors.documentos.client import DocumentosClient

__all__ = ["DocumentosClient"]
