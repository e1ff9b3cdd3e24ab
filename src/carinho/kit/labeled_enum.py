"""A StrEnum whose members say what a person reads beside the value stored and sent:

    class Priority(LabeledEnum):
        low = "low", "Baixa"

`Priority.low == "low"` and `Priority.low.label == "Baixa"`: the pt-BR text lives on the member,
in one place, instead of in a dict beside the enum that must be kept in step with it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabeledEnum(StrEnum):
    label: str

    # `label` has a default only so that type checkers accept the lookup `Priority("low")`, which
    # finds the member made here (it never calls __new__ again).
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
