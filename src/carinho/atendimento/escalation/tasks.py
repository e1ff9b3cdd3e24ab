"""Jobs and periodic jobs of the escalation package."""

from __future__ import annotations
