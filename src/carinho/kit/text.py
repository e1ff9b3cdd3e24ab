"""Text the databases can store, checked at the edge so that bad input is a 4xx, never a 500.

PostgreSQL refuses NUL in text columns. No database takes a lone UTF-16 surrogate (U+D800–U+DFFF
alone): it has no UTF-8 form, yet JSON lets one through as an escape (`"\\udc00"`), and Python's
parser turns it into a string that fails only when written.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator


def reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("o texto não pode conter o caractere NUL")
    return value


NulFreeText = Annotated[str, AfterValidator(reject_nul)]


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def json_has_lone_surrogate(text: str, data: Any) -> bool:
    """Whether `data`, parsed from the JSON `text`, holds a lone surrogate. Only a text with a
    surrogate escape is walked (paired escapes, as PHP writes emoji, are one character once parsed)."""
    if _SURROGATE.search(text):
        return True
    return _SURROGATE_ESCAPE.search(text) is not None and has_lone_surrogate(data)


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string in this JSON-like value (keys included) holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


def reject_lone_surrogates(value: Any) -> Any:
    if has_lone_surrogate(value):
        raise ValueError("o texto contém um caractere inválido (surrogate UTF-16 isolado)")
    return value
