"""Z-API (WhatsApp): the REST client; the inbound callback parser lives in `callbacks.py`."""
