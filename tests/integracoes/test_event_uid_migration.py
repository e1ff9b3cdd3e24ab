"""Migration 0018 gives every event already stored a UUID of its own (issue 19, item 7), on each
backend; the keys built from it are tested in tests/integracoes/deliveries/test_event_keys.py."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from carinho.kit import migrations
from carinho.kit.db import create_engine
from tests.support import services

UID = re.compile(r"^[0-9a-f]{32}$")


async def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            result = None
            for statement in statements:
                result = await conn.execute(text(statement))
            return [tuple(row) for row in result] if result is not None and result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", services.selected_backends())
def test_the_migration_gives_every_stored_event_its_own_uuid(backend: str, tmp_path: Path) -> None:
    name = services.unique_name("mig_uid")
    url = services.create_database(backend, name, str(tmp_path))
    try:
        migrations.upgrade("integracoes", url, "0017")
        values = ", ".join(
            f"('crm', 'lead.created', 'k{n}', '{{}}', 'processed', 'integrations', 0,"
            " '2026-12-01 10:00:00', '2026-12-01 10:00:00')"
            for n in range(3)
        )
        asyncio.run(
            _run(
                url,
                "INSERT INTO integration_events (source, event_type, idempotency_key, payload, status,"
                f" lane, attempts, created_at, updated_at) VALUES {values}",
                "INSERT INTO integration_event_steps (event_id, name, position, status, attempts,"
                " idempotency_key, created_at, updated_at) SELECT id, 'crm.register_lead', 0, 'done', 1,"
                " 'k', '2026-12-01 10:00:00', '2026-12-01 10:00:00' FROM integration_events",
            )
        )
        migrations.upgrade("integracoes", url)
        steps = asyncio.run(_run(url, "SELECT COUNT(*) FROM integration_event_steps"))
        assert steps == [(3,)]  # the events' rows elsewhere survive (no cascade on SQLite's rebuild)
        uids = [str(row[0]) for row in asyncio.run(_run(url, "SELECT uid FROM integration_events"))]
        assert len(uids) == 3 and len(set(uids)) == 3
        assert all(UID.match(uid) for uid in uids), uids
        with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
            asyncio.run(_run(url, f"UPDATE integration_events SET uid = '{uids[0]}'"))
        migrations.downgrade("integracoes", url, "0017")
        migrations.upgrade("integracoes", url)
    finally:
        services.drop_database(backend, name)
