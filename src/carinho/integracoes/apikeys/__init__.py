"""API keys of the hub: stored hashed, shown once, revocable."""
