"""Jobs and periodic jobs of the metrics package."""

from __future__ import annotations
