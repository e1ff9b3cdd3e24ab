"""What the sla package does when the inbox emits a signal (see atendimento/signals.py)."""

from __future__ import annotations
