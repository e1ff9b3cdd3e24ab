"""Jobs and periodic jobs of the incidents package."""

from __future__ import annotations
