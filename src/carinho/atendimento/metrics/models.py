"""Tables of the metrics package (filled in by its implementation)."""

from __future__ import annotations
