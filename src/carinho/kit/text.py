"""Text the databases can store, made sure of at the edge: bad input is repaired or a 4xx, never a 500.

PostgreSQL refuses NUL in text columns. No database takes a lone UTF-16 surrogate (U+D800–U+DFFF
alone): it has no UTF-8 form, yet JSON lets one through as an escape (`"\\udc00"`), and Python's
parser turns it into a string that fails only when written. Inbound webhooks get it replaced
(`without_lone_surrogates`); our API refuses it (`reject_lone_surrogates`, a 422).
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


def without_lone_surrogates(text: str, data: Any) -> Any:
    """`data`, parsed from the JSON `text`, with each lone surrogate replaced by U+FFFD (�), as a
    UTF-8 decoder shows broken bytes: an inbound message is kept, its broken character shown. Only a
    text with a raw surrogate or a surrogate escape is walked (paired escapes, as PHP writes emoji,
    are one character once parsed)."""
    if _SURROGATE.search(text) is None and _SURROGATE_ESCAPE.search(text) is None:
        return data
    return _replaced(data)


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    return value


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
