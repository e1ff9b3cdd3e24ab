"""Z-API payload fixtures (the documented contract) live in the project's shared folder, beside the
repository (`../shared/fixtures/zapi`), as CI lays it out; CARINHO_ZAPI_FIXTURES points elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ZAPI_FIXTURES = Path(os.environ.get("CARINHO_ZAPI_FIXTURES", ROOT.parent / "shared" / "fixtures" / "zapi"))


def zapi_fixture_names(prefix: str = "") -> list[str]:
    if not ZAPI_FIXTURES.is_dir():
        raise RuntimeError(f"Z-API fixtures not found at {ZAPI_FIXTURES}; set CARINHO_ZAPI_FIXTURES")
    return sorted(p.name for p in ZAPI_FIXTURES.glob(f"{prefix}*.json"))


def zapi_fixture(name: str) -> Any:
    return json.loads((ZAPI_FIXTURES / name).read_text(encoding="utf-8"))


def zapi_fixture_bytes(name: str) -> bytes:
    return (ZAPI_FIXTURES / name).read_bytes()
