"""The console operators' roles (light: the CLI reads them without the database layer)."""

from __future__ import annotations

from carinho.kit.labeled_enum import LabeledEnum


class OperatorRole(LabeledEnum):
    viewer = "viewer", "leitura"
    operator = "operator", "operador"
    admin = "admin", "administrador"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "operator": 1, "admin": 2}[self]
