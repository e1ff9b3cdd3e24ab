"""Site connector (docs/contratos/site.md)."""

from carinho.connectors.site.client import SiteClient

__all__ = ["SiteClient"]
