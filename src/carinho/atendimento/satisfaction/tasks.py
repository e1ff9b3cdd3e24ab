"""Jobs and periodic jobs of the satisfaction package."""

from __future__ import annotations
