"""Tables of the sla package (filled in by its implementation)."""

from __future__ import annotations
