"""Tables of the escalation package (filled in by its implementation)."""

from __future__ import annotations
