"""integracoes: the integration hub."""
