from __future__ import annotations

import pytest
from pydantic import ValidationError

from carinho.config import ENV_FILE_VARIABLE, Settings, load_settings
from carinho.kit.crypto import new_key
from carinho.settings_check import SettingsProblems, production_warnings


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


PRODUCTION = {
    "carinho_env": "production",
    "integracoes_database_url": "postgresql+asyncpg://db/integracoes",
    "atendimento_database_url": "mysql+asyncmy://db/atendimento",
    "redis_url": "redis://redis:6379/0",
}


def _real_secrets() -> dict[str, str]:
    return {name: f"s3cr3t-{name}-value" for name in Settings(_env_file=None).secret_values()}


def test_production_accepts_real_settings() -> None:
    settings = Settings(_env_file=None, payload_encryption_keys=new_key(), **PRODUCTION, **_real_secrets())
    assert settings.carinho_env == "production"
    assert production_warnings(settings) == []


def test_production_refuses_to_store_personal_data_in_clear_unless_told_to() -> None:
    with pytest.raises(ValidationError, match="PAYLOAD_ENCRYPTION_KEYS"):
        Settings(_env_file=None, **PRODUCTION, **_real_secrets())
    with pytest.raises(ValidationError, match="not a list of Fernet keys"):
        Settings(_env_file=None, payload_encryption_keys="abc", **PRODUCTION, **_real_secrets())
    accepted = Settings(_env_file=None, allow_unencrypted_payloads=True, **PRODUCTION, **_real_secrets())
    assert [w["code"] for w in production_warnings(accepted)] == ["unencrypted_payloads"]


def test_production_refuses_short_secrets_sqlite_and_no_redis() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(
            _env_file=None,
            **(PRODUCTION | {"integracoes_database_url": "sqlite+aiosqlite:///x.db", "redis_url": ""}),
            **(_real_secrets() | {"session_secret": "short"}),
            payload_encryption_keys=new_key(),
        )
    message = str(error.value)
    assert "SESSION_SECRET: too short" in message
    assert "INTEGRACOES_DATABASE_URL: not a server database" in message
    assert "REDIS_URL: missing" in message and "ATENDIMENTO_DATABASE_URL" not in message


def test_the_env_file_named_by_carinho_env_file_is_read_as_dotenv(tmp_path, monkeypatch) -> None:
    env_file = tmp_path / "carinho.env"
    env_file.write_text('BRANDING_SIGNATURE=Equipe Carinho (São Paulo) & cia\nCARINHO_LOG_LEVEL="WARNING"\n')
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(env_file))
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.branding_signature == "Equipe Carinho (São Paulo) & cia"
    assert settings.carinho_log_level == "WARNING"
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(tmp_path / "missing.env"))
    with pytest.raises(SettingsProblems, match="CARINHO_ENV_FILE"):
        load_settings()


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
