"""Jobs and periodic jobs of the sla package."""

from __future__ import annotations
