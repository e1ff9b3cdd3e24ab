"""Who an agent is: role and support level (light: the CLI reads them without the database layer)."""

from __future__ import annotations

from enum import StrEnum

from carinho.kit.labeled_enum import LabeledEnum


class Role(LabeledEnum):
    agent = "agent", "atendente"
    supervisor = "supervisor", "supervisor"
    admin = "admin", "administrador"

    @property
    def rank(self) -> int:
        return {"agent": 0, "supervisor": 1, "admin": 2}[self]


class SupportLevel(StrEnum):
    n1 = "N1"
    n2 = "N2"
    n3 = "N3"

    @property
    def rank(self) -> int:
        return int(self.value[1])
