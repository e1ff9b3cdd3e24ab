"""Keeping the CRM lead in step with the contact center (contact, funnel stage, triage answers)."""
