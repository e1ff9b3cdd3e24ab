"""`GET /status`: the hub's full status (the seed's "Status completo do sistema")."""
