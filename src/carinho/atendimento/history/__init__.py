"""Append-only audit trail (history_service): every action on conversations, and people's actions on
the system (logins, accounts, templates, rules, SLA, working hours, retention, data-subject requests)."""
