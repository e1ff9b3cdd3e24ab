"""Carinho platform."""
