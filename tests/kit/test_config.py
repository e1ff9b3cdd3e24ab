from __future__ import annotations

import pytest
from pydantic import ValidationError

from carinho.config import Settings


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(
            _env_file=None,
            carinho_env="production",
            zapi_webhook_secret="seu-secret",
            integracoes_database_url="postgresql+asyncpg://db/integracoes",
            atendimento_database_url="postgresql+asyncpg://db/atendimento",
        )
    message = str(error.value)
    assert "ZAPI_WEBHOOK_SECRET" in message and "SESSION_SECRET" in message


def test_production_accepts_real_settings() -> None:
    real = {name: f"s3cr3t-{name}-value" for name in Settings(_env_file=None).secret_values()}
    settings = Settings(
        _env_file=None,
        carinho_env="production",
        integracoes_database_url="postgresql+asyncpg://db/integracoes",
        atendimento_database_url="postgresql+asyncpg://db/atendimento",
        **real,
    )
    assert settings.carinho_env == "production"


def test_development_defaults_to_sqlite_files_in_the_data_dir(tmp_path) -> None:
    settings = Settings(_env_file=None, carinho_data_dir=tmp_path)
    assert settings.database_url("atendimento") == f"sqlite+aiosqlite:///{tmp_path}/atendimento.sqlite3"
    assert settings.embedded


def test_lane_concurrency_overrides_are_validated() -> None:
    from carinho.worker.lanes import lane_concurrency

    settings = Settings(_env_file=None, lane_concurrency="integrations=4, notifications=1")
    concurrency = lane_concurrency(settings.lane_threads())
    assert concurrency["integrations"] == 4 and concurrency["notifications"] == 1
    with pytest.raises(ValueError, match="unknown lanes"):
        lane_concurrency({"fast-lane": 3})
