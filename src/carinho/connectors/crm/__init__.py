"""CRM connector (docs/contratos/crm.md)."""

from carinho.connectors.crm.client import CrmClient

__all__ = ["CrmClient"]
