"""The simulated systems' record store: simultaneous creations each get their own id, as a real
auto-increment gives them (the hub and atendimento create a new contact's CRM lead at once)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from carinho.sandbox.systems.store import Store


async def test_simultaneous_inserts_get_distinct_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "sandbox.sqlite3")
    try:
        created = await asyncio.gather(
            *(store.insert("crm", "leads", {"name": f"Lead {n}"}) for n in range(12))
        )
        assert sorted(r["id"] for r in created) == list(range(1, 13))
        assert len(await store.all("crm", "leads")) == 12
    finally:
        await store.close()
