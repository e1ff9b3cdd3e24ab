"""The bounded contexts stay apart: integracoes and atendimento never import each other (they talk
through connectors, over HTTP), and the kit — the ground floor both stand on — imports neither, nor
the sandbox. Function-level imports count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "carinho"

# package -> packages it must never import
FORBIDDEN = {
    "integracoes": ("atendimento", "sandbox"),
    "atendimento": ("integracoes", "sandbox"),
    "kit": ("integracoes", "atendimento", "sandbox", "backups", "cli"),
    "connectors": ("integracoes", "atendimento", "sandbox"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def crossings(package: str, forbidden: tuple[str, ...]) -> list[str]:
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "carinho" and len(parts) > 1 and parts[1] in forbidden:
                offenders.append(f"{path.relative_to(SRC.parent)} imports {module}")
    return offenders


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_never_imports_what_it_must_not(package: str) -> None:
    assert crossings(package, FORBIDDEN[package]) == []


def test_the_check_sees_a_function_level_import(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from carinho.atendimento.inbox import service\n", encoding="utf-8")
    assert "carinho.atendimento.inbox" in imported_modules(module)
