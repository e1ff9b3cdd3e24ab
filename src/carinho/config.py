"""Settings: 12-factor environment variables (ARCHITECTURE §8), read once per process."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CARINHO_SYSTEMS = (
    "crm",
    "operacao",
    "financeiro",
    "cuidadores",
    "site",
    "marketing",
    "documentos",
    "atendimento",
)
WEBHOOK_SOURCES = ("site", "crm", "operacao", "financeiro", "cuidadores")

PLACEHOLDER_MARKERS = ("change-me", "changeme", "seu-", "sua-", "placeholder", "example")


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    carinho_env: Environment = Environment.development
    carinho_data_dir: Path = Path("./var")
    carinho_log_level: str = "INFO"
    carinho_max_body_bytes: int = 1_048_576

    # Databases: empty means an SQLite file under CARINHO_DATA_DIR.
    integracoes_database_url: str = ""
    atendimento_database_url: str = ""
    database_pool_size: int = 10
    sqlite_busy_timeout_ms: int = 30_000

    # Broker, cache and rate limiter: unset means the embedded in-process profile.
    redis_url: str = ""
    redis_namespace: str = "carinho"

    # Ports of `carinho up`.
    integracoes_port: int = 8000
    atendimento_port: int = 8001
    sandbox_port: int = 8099
    bind_host: str = "127.0.0.1"

    # Outbox and relay.
    outbox_dispatch_lease_seconds: float = 60.0
    outbox_relay_interval_seconds: float = 1.0
    outbox_relay_batch: int = 500
    job_default_time_limit_seconds: float = 300.0
    job_default_max_attempts: int = 8
    scheduler_heartbeat_seconds: float = 10.0
    scheduler_lock_ttl_seconds: float = 30.0

    # Lane concurrency (threads per lane in a worker process); "lane=n,lane=n".
    lane_concurrency: str = ""

    # Z-API (WhatsApp)
    zapi_enabled: bool = True
    zapi_base_url: str = "https://api.z-api.io"
    zapi_instance_id: str = ""
    zapi_token: SecretStr = SecretStr("")
    zapi_client_token: SecretStr = SecretStr("")
    zapi_webhook_secret: SecretStr = SecretStr("")

    # Carinho systems
    carinho_crm_url: str = ""
    carinho_crm_api_key: SecretStr = SecretStr("")
    carinho_operacao_url: str = ""
    carinho_operacao_api_key: SecretStr = SecretStr("")
    carinho_financeiro_url: str = ""
    carinho_financeiro_api_key: SecretStr = SecretStr("")
    carinho_cuidadores_url: str = ""
    carinho_cuidadores_api_key: SecretStr = SecretStr("")
    carinho_site_url: str = ""
    carinho_site_api_key: SecretStr = SecretStr("")
    carinho_marketing_url: str = ""
    carinho_marketing_api_key: SecretStr = SecretStr("")
    carinho_documentos_url: str = ""
    carinho_documentos_api_key: SecretStr = SecretStr("")
    carinho_atendimento_url: str = ""
    carinho_atendimento_api_key: SecretStr = SecretStr("")

    # Inbound webhook secrets per Carinho system (spatie `Signature` / Standard Webhooks).
    webhook_secret_site: SecretStr = SecretStr("")
    webhook_secret_crm: SecretStr = SecretStr("")
    webhook_secret_operacao: SecretStr = SecretStr("")
    webhook_secret_financeiro: SecretStr = SecretStr("")
    webhook_secret_cuidadores: SecretStr = SecretStr("")

    # E-mail
    mail_host: str = "127.0.0.1"
    mail_port: int = 1025
    mail_username: str = ""
    mail_password: SecretStr = SecretStr("")
    mail_from_address: str = "contato@carinho.com.vc"
    mail_from_name: str = "Carinho com Você"
    mail_use_tls: bool = False
    mail_start_tls: bool = False

    # API and UI
    api_rate_limit_per_minute: int = Field(default=60, ge=1)
    session_secret: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.carinho_env is not Environment.production:
            return self
        problems = [name for name, value in self.secret_values().items() if _is_placeholder(value)]
        if not self.integracoes_database_url or not self.atendimento_database_url:
            problems.append("integracoes_database_url/atendimento_database_url")
        if problems:
            raise ValueError(
                "production refuses empty or placeholder settings: "
                + ", ".join(sorted(n.upper() for n in problems))
            )
        return self

    def secret_values(self) -> dict[str, str]:
        """Secrets that production requires to be real."""
        names = ["session_secret", "zapi_webhook_secret"] + [f"webhook_secret_{s}" for s in WEBHOOK_SOURCES]
        if self.zapi_enabled:
            names += ["zapi_token", "zapi_client_token"]
        return {n: getattr(self, n).get_secret_value() for n in names}

    @property
    def embedded(self) -> bool:
        return not self.redis_url

    def database_url(self, context: str) -> str:
        url: str = getattr(self, f"{context}_database_url")
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.carinho_data_dir / f'{context}.sqlite3').resolve()}"

    def webhook_secret(self, source: str) -> str:
        value: SecretStr = getattr(self, f"webhook_secret_{source}")
        return value.get_secret_value()

    def system_url(self, system: str) -> str:
        return str(getattr(self, f"carinho_{system}_url"))

    def system_api_key(self, system: str) -> str:
        value: SecretStr = getattr(self, f"carinho_{system}_api_key")
        return value.get_secret_value()

    def lane_threads(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for item in filter(None, (p.strip() for p in self.lane_concurrency.split(","))):
            lane, _, count = item.partition("=")
            result[lane.strip()] = int(count)
        return result

    def with_overrides(self, **values: Any) -> Settings:
        return self.model_copy(update=values)


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return not value or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


SECRETS_FILE = "secrets.env"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`, plus the secrets `carinho up` generated on first
    start (`$CARINHO_DATA_DIR/secrets.env`); real environment variables always win."""
    settings = Settings(**overrides)
    generated = settings.carinho_data_dir / SECRETS_FILE
    if generated.exists():
        return Settings(_env_file=(".env", generated), **overrides)
    return settings


@lru_cache
def get_settings() -> Settings:
    return load_settings()
