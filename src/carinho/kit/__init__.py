"""Shared building blocks used by every bounded context."""
