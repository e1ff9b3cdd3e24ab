"""Z-API payload fixtures (the documented contract, docs/contratos/zapi.md) kept in the repository
under tests/fixtures/zapi, so that a plain clone runs the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ZAPI_FIXTURES = ROOT / "tests" / "fixtures" / "zapi"


def zapi_fixture_names(prefix: str = "") -> list[str]:
    if not ZAPI_FIXTURES.is_dir():
        raise RuntimeError(f"Z-API fixtures not found at {ZAPI_FIXTURES}")
    return sorted(p.name for p in ZAPI_FIXTURES.glob(f"{prefix}*.json"))


def zapi_fixture(name: str) -> Any:
    return json.loads((ZAPI_FIXTURES / name).read_text(encoding="utf-8"))


def zapi_fixture_bytes(name: str) -> bytes:
    return (ZAPI_FIXTURES / name).read_bytes()
