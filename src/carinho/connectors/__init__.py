"""Typed async clients, one package per external system."""
