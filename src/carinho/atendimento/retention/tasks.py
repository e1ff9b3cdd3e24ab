"""Jobs and periodic jobs of the retention package."""

from __future__ import annotations
