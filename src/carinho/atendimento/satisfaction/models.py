"""Tables of the satisfaction package (filled in by its implementation)."""

from __future__ import annotations
