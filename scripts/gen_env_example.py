"""Writes .env.example from the Settings class: every variable, its default, grouped as in config.py.

uv run python scripts/gen_env_example.py
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from pydantic import SecretStr

from carinho import config

HEADER = """\
# Carinho platform settings (ARCHITECTURE §8). Copy to .env and adjust.
# Every variable is optional in development: `carinho up` runs on SQLite, the in-process broker and
# the sandbox, and generates the secrets it needs into $CARINHO_DATA_DIR/secrets.env on first start.
# With CARINHO_ENV=production it refuses to start without what production needs (README, "Production
# profile"); `carinho secrets generate` prints a complete production file with fresh secrets.
"""


def _comments() -> dict[str, list[str]]:
    """Comment lines written just above each field in config.py."""
    source = inspect.getsource(config.Settings)
    lines = source.splitlines()
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            above: list[str] = []
            index = node.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#"):
                above.insert(0, lines[index].strip())
                index -= 1
            found[node.target.id] = above
    return found


def render() -> str:
    comments = _comments()
    out = [HEADER]
    for name, field in config.Settings.model_fields.items():
        default = field.default
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        if isinstance(default, bool):
            default = str(default).lower()
        for comment in comments.get(name, []):
            out.append(comment)
        out.append(f"{name.upper()}={'' if default is None else default}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    Path(".env.example").write_text(render(), encoding="utf-8")
    print("wrote .env.example")
