"""Tables of the incidents package (filled in by its implementation)."""

from __future__ import annotations
