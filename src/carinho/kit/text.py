"""Text that PostgreSQL can store: it refuses NUL in text columns, so a NUL is a 422, not a 500."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("o texto não pode conter o caractere NUL")
    return value


NulFreeText = Annotated[str, AfterValidator(reject_nul)]
