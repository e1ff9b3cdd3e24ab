"""Agents (atendentes), their roles, support levels and passwords."""
