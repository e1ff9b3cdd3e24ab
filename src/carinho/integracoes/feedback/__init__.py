"""The public feedback page: the link sent after a service, where the client rates it (seed module 4)."""
