"""Toasts from the server: the header an htmx answer carries to make carinho.js show one."""

from __future__ import annotations

import json


def toast_trigger(message: str, tone: str = "success") -> str:
    """The HX-Trigger header that makes carinho.js show a toast (ASCII-only JSON: headers are latin-1)."""
    return json.dumps({"carinho-toast": {"message": message, "tone": tone}}, ensure_ascii=True)
