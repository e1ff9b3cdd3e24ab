"""Alembic, driven from code: one history per bounded context under `migrations/<context>/`."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, MetaData
from sqlalchemy.engine import make_url

from carinho.kit.db import create_engine

MIGRATIONS_DIR = Path(
    os.environ.get("CARINHO_MIGRATIONS_DIR", Path(__file__).resolve().parents[3] / "migrations")
)


def alembic_config(context: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / context))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / context / "versions"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = url
    config.attributes["context"] = context
    return config


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def upgrade(context: str, url: str, revision: str = "head") -> None:
    _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(context, url), revision)


def downgrade(context: str, url: str, revision: str) -> None:
    command.downgrade(alembic_config(context, url), revision)


def current(context: str, url: str) -> None:
    command.current(alembic_config(context, url))


def revision(context: str, url: str, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(context, url), message=message, autogenerate=autogenerate)


def run_env(config: Config, metadata: MetaData, offline: bool) -> None:
    """Body of each history's env.py (async engine; works inside or outside a running loop)."""
    from alembic import context as alembic_context

    url = str(config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url"))
    if offline:
        alembic_context.configure(
            url=url,
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=True,
            compare_type=True,
        )
        with alembic_context.begin_transaction():
            alembic_context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        alembic_context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with alembic_context.begin_transaction():
            alembic_context.run_migrations()

    async def run_async() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(do_run)
                await connection.commit()
        finally:
            await engine.dispose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run_async())
        return
    # Called from async code (tests, tools): migrate on a thread with its own loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run_async()).result()
