"""Each context's history upgrades and downgrades cleanly on SQLite, MariaDB and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import inspect

from carinho.kit import migrations
from carinho.kit.db import create_engine
from carinho.runtime import CONTEXTS, context_spec
from tests.support import services


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", services.selected_backends())
@pytest.mark.parametrize("context", CONTEXTS)
def test_upgrade_downgrade_upgrade(backend: str, context: str, tmp_path: Path) -> None:
    import carinho.atendimento.models
    import carinho.integracoes.models  # noqa: F401

    name = services.unique_name(f"mig_{context[:5]}")
    url = services.create_database(backend, name, str(tmp_path))
    try:
        migrations.upgrade(context, url)
        expected = set(context_spec(context).metadata.tables)
        assert expected <= asyncio.run(_tables(url))
        migrations.downgrade(context, url, "base")
        assert asyncio.run(_tables(url)) <= {"alembic_version"}
        migrations.upgrade(context, url)
        assert expected <= asyncio.run(_tables(url))
    finally:
        services.drop_database(backend, name)
