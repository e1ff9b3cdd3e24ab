"""Tables of the retention package (filled in by its implementation)."""

from __future__ import annotations
