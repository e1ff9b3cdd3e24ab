"""Marketing connector (docs/contratos/marketing.md)."""

from carinho.connectors.marketing.client import MarketingClient

__all__ = ["MarketingClient"]
