"""Text the databases can store, made sure of at the edge: bad input is repaired or a 4xx, never a 500.

PostgreSQL refuses NUL in text columns. No database takes a lone UTF-16 surrogate (U+D800–U+DFFF
alone): it has no UTF-8 form, yet JSON lets one through as an escape (`"\\udc00"`), and Python's
parser turns it into a string that fails only when written. Inbound webhooks get it replaced
(`json_from_bytes`); our API refuses it (`reject_lone_surrogates`, a 422).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema


def reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("o texto não pode conter o caractere NUL")
    return value


NulFreeText = Annotated[str, AfterValidator(reject_nul)]
# What `reject_nul` accepts, for an OpenAPI document.
NUL_FREE_PATTERN = r"^[^\x00]*$"


def stripped_text_schema(min_length: int, max_length: int) -> WithJsonSchema:
    """The document of a str that is whitespace-stripped, then `min_length`..`max_length` characters
    without NUL (`StringConstraints(strip_whitespace=True, ...)` + `reject_nul`): at least `min_length`
    characters from the first to the last non-whitespace one, so what the schema allows is accepted."""
    assert min_length >= 1
    if min_length == 1:
        pattern = r"^[^\x00]*[^\s\x00][^\x00]*$"
    else:
        pattern = rf"^\s*[^\s\x00][^\x00]{{{min_length - 2},}}[^\s\x00]\s*$"
    return WithJsonSchema(
        {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": pattern}
    )


_SURROGATE = re.compile("[\ud800-\udfff]")
# A raw surrogate, or the escape of one: what a JSON text needs to hold one once parsed.
_SURROGATE_IN_JSON = re.compile(r"[\ud800-\udfff]|\\u[dD][89abcdefABCDEF]")

_JSON = json.JSONDecoder()


def json_from_bytes(body: bytes, decoder: json.JSONDecoder = _JSON) -> Any:
    """The JSON document in `body`, read as `json.loads` reads bytes (UTF-8/16/32 detected), with each
    lone surrogate replaced by U+FFFD (�), as a UTF-8 decoder shows broken bytes: an inbound message
    is kept, its broken character shown. Raises ValueError (or RecursionError) if it is not JSON. Only
    a text with a surrogate, raw or escaped, is walked (paired escapes, as PHP writes emoji, are one
    character once parsed)."""
    text = body.decode(json.detect_encoding(body), "surrogatepass")
    data = decoder.decode(text)
    return data if _SURROGATE_IN_JSON.search(text) is None else _replaced(data)


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    return value


def reject_lone_surrogates(value: Any) -> Any:
    """A validator for JSON-like values (keys included) that refuses a lone surrogate."""
    if _replaced(value) != value:
        raise ValueError("o texto contém um caractere inválido (surrogate UTF-16 isolado)")
    return value
