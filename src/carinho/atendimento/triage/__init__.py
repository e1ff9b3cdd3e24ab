"""Triage (TriageService): versioned checklists and structured answers per conversation."""
