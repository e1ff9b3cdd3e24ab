"""The console operators' roles (light: the CLI reads them without the database layer)."""

from __future__ import annotations

from enum import StrEnum


class OperatorRole(StrEnum):
    viewer = "viewer"
    operator = "operator"
    admin = "admin"

    @property
    def label(self) -> str:
        return {"viewer": "leitura", "operator": "operador", "admin": "administrador"}[self]

    @property
    def rank(self) -> int:
        return {"viewer": 0, "operator": 1, "admin": 2}[self]
