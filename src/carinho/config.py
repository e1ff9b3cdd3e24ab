"""Settings: 12-factor environment variables (ARCHITECTURE §8), read once per process."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from carinho.kit.retry import parse_schedule

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
    # SQLite's durability (the embedded default): `full` — a 2xx follows a commit that is on disk,
    # surviving a power cut or an OS crash; `normal` is faster but may lose the last acknowledged
    # commits to a power cut (never to kill -9). docs/arquitetura.md, "What a 2xx promises".
    sqlite_synchronous: Literal["full", "normal"] = "full"

    # Broker, cache and rate limiter: unset means the embedded in-process profile.
    redis_url: str = ""
    redis_namespace: str = "carinho"

    # Ports of `carinho up`.
    integracoes_port: int = 8000
    atendimento_port: int = 8001
    sandbox_port: int = 8099
    bind_host: str = "127.0.0.1"
    # `carinho up`: `per_system` runs the hub, atendimento and the sandbox each in a process of its own
    # (own event loop and GIL: the platform can use more than one core); `single` runs all in one
    # process (debugging, one-core machines). docs/arquitetura.md, "carinho up's processes".
    embedded_processes: Literal["per_system", "single"] = "per_system"

    # Outbox and relay.
    outbox_dispatch_lease_seconds: float = 60.0
    outbox_relay_interval_seconds: float = 1.0
    outbox_relay_batch: int = 500
    # A running job's claim lease, renewed by its worker every third of it while the job runs: a dead
    # worker's rows go back to the relay this long after its last renewal.
    outbox_lease_seconds: float = Field(default=30.0, gt=0)
    job_default_time_limit_seconds: float = 300.0
    job_default_max_attempts: int = 8
    # Extra modules registering jobs (plugins; the tests use it for their own jobs).
    carinho_job_modules: str = ""
    scheduler_heartbeat_seconds: float = 10.0
    # `carinho worker --processes N` gives up (exits non-zero, for its service manager to act) when
    # its children die this many times within this window.
    worker_restart_max_deaths: int = Field(default=5, ge=1)
    worker_restart_window_seconds: float = Field(default=60.0, gt=0)
    scheduler_lock_ttl_seconds: float = 30.0

    # Lane concurrency (threads per lane in a worker process); "lane=n,lane=n".
    lane_concurrency: str = ""

    # Retry schedules (kit/retry.py, one function per name; docs/arquitetura.md "Retries" says which
    # layer retries each job). Lists are seconds before each retry.
    # The outbox's safety net for a job run that raised: first wait, doubled up to the ceiling, ±jitter.
    outbox_retry_first_seconds: float = Field(default=5.0, gt=0)
    outbox_retry_max_seconds: float = Field(default=600.0, gt=0)
    outbox_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    # Hub: an event whose step failed (then the DLQ), with the webhooks' jitter.
    event_retry_schedule_seconds: str = "10,60,300,1800,7200"
    # Hub: an outbound webhook delivery (Svix-like), with +/- jitter; endpoints may override the list.
    webhook_retry_schedule_seconds: str = "5,300,1800,7200,18000,36000,36000"
    webhook_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    # Atendimento: a WhatsApp send Z-API failed (the last wait repeats up to the 5 attempts).
    whatsapp_send_retry_schedule_seconds: str = "30,120,600,1800"
    # Atendimento: an emergency not yet delivered to operação (the last wait repeats, ~a day of tries).
    emergency_delivery_retry_schedule_seconds: str = "5,15,30,60,120,300,600"
    # Atendimento: an escalation not yet delivered to operação: first wait, doubled up to the ceiling.
    escalation_report_retry_first_seconds: float = Field(default=10.0, gt=0)
    escalation_report_retry_max_seconds: float = Field(default=600.0, gt=0)
    # Atendimento: a proposal or contract e-mail the mail server refused (up to 5 attempts).
    document_email_retry_schedule_seconds: str = "120,240,480,960"

    # Hub event processing and outbound webhooks (ARCHITECTURE §4, invariants 3-5).
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    # An endpoint whose deliveries did nothing but exhaust their retries for this long is disabled.
    webhook_disable_after_days: float = Field(default=5.0, gt=0)

    # Z-API (WhatsApp)
    zapi_enabled: bool = True
    zapi_base_url: str = "https://api.z-api.io"
    zapi_instance_id: str = ""
    zapi_token: SecretStr = SecretStr("")
    zapi_client_token: SecretStr = SecretStr("")
    zapi_webhook_secret: SecretStr = SecretStr("")
    zapi_timeout_seconds: float = 15.0
    # Sends per minute per instance, in any 60 s window (Redis-shared when REDIS_URL is set). A send
    # over the limit waits as a delayed job for its reserved slot (connectors/zapi/ratelimit.py).
    zapi_send_rate_per_minute: int = Field(default=60, ge=1)

    # Calls to the other Carinho systems (connectors/<system>/).
    connector_timeout_seconds: float = 10.0

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
    # The hub, for atendimento (data-subject erasures reach it): its base URL and an API key
    # created in it (`carinho apikey create`). `carinho up` fills both when they are empty.
    carinho_integracoes_url: str = ""
    carinho_integracoes_api_key: SecretStr = SecretStr("")

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
    mail_timeout_seconds: float = 30.0

    # Branding of e-mails (the seed's config/branding.php).
    branding_company_name: str = "Carinho com Você"
    branding_primary_color: str = "#C2185B"
    branding_secondary_color: str = "#FCE4EC"
    branding_text_color: str = "#333333"
    branding_logo_url: str = "https://carinho.com.vc/images/logo.png"
    branding_site_url: str = "https://carinho.com.vc"
    branding_signature: str = "Equipe Carinho com Você"
    branding_whatsapp: str = "5511940028922"
    branding_phone: str = "(11) 4002-8922"
    branding_email: str = "contato@carinho.com.vc"
    branding_instagram: str = "@carinhocomvoce"

    # Sandbox (simulated Z-API, SMTP and Carinho systems): part of `carinho up` unless disabled;
    # connectors whose real URLs are not configured point at it.
    sandbox_enabled: bool = True
    sandbox_smtp_port: int = 1025
    sandbox_callback_delay_seconds: float = 0.5
    # Where the simulated Z-API posts its callbacks (empty: the hub's /webhooks/whatsapp?token=...).
    sandbox_zapi_webhook_url: str = ""
    # The simulated instance's own WhatsApp number.
    sandbox_zapi_phone: str = "5511940028922"

    # Hub automations (seed modules 1-5).
    # Public base URL of the hub (feedback links); empty: http://<BIND_HOST>:<INTEGRACOES_PORT>.
    integracoes_public_url: str = ""
    # Wait between "service completed" and the feedback request (seed: 2 hours).
    feedback_request_delay_seconds: float = Field(default=7200.0, ge=0)
    # A WhatsApp reply counts as the answer to a feedback request sent this many days ago at most.
    feedback_reply_window_days: float = Field(default=7.0, gt=0)
    # E-mail of the ops team: failing syncs alert it (empty: log and metric only).
    ops_alert_email: str = ""
    # The hub's alerts (backlog, failures, DLQ growth, syncs, targets down, no scheduler leader) are
    # also POSTed here, signed with the secret (Standard Webhooks); empty: console and e-mail only.
    integracoes_alert_webhook_url: str = ""
    integracoes_alert_webhook_secret: SecretStr = SecretStr("")
    # The scheduler evaluates the hub's alert rules this often.
    alerts_evaluate_interval_seconds: float = Field(default=30.0, gt=0)
    # The console's overview shows a lane as stopped (red) when its oldest waiting work is older than
    # this: with the page's 15 s fallback redraw, red within a minute even when nothing else moves.
    console_lane_stuck_seconds: float = Field(default=45.0, gt=0)

    # atendimento (contact center).
    # Public base URL of atendimento (NPS survey links); empty: http://<BIND_HOST>:<ATENDIMENTO_PORT>.
    atendimento_public_url: str = ""
    # Alerts (SLA, backlog, send failures, emergencies) are also POSTed here, signed with the secret
    # (Standard Webhooks); empty: in-app and e-mail only.
    atendimento_alert_webhook_url: str = ""
    atendimento_alert_webhook_secret: SecretStr = SecretStr("")

    # API and UI
    api_rate_limit_per_minute: int = Field(default=60, ge=1)
    # `carinho serve --workers N`: how long a worker process may take to answer the parent's health
    # check before it is replaced (uvicorn's default, 5 s, kills children still starting on a busy host).
    serve_healthcheck_timeout_seconds: int = Field(default=30, gt=0)
    # Login throttling (atendimento and the hub console): after this many failed logins of one
    # e-mail, or from one address, within the window, logins are refused until it moves on.
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1, le=1440)
    session_secret: SecretStr = SecretStr("")

    # Inbound events (hub). Fernet keys, comma-separated: the first encrypts, all decrypt (rotation).
    # Empty: payloads are stored in clear — production refuses that unless ALLOW_UNENCRYPTED_PAYLOADS.
    payload_encryption_keys: SecretStr = SecretStr("")
    allow_unencrypted_payloads: bool = False
    # Database backups (`carinho backup`; the scheduler takes one per context daily at 02:45 in São Paulo).
    # Folder of the backup files; empty: $CARINHO_DATA_DIR/backups.
    backup_dir: str = ""
    # Backups kept per context: after each new one, the oldest beyond this count are deleted.
    backup_keep: int = Field(default=7, ge=1)
    # The scheduler's daily backup (off: only `carinho backup`).
    backup_daily: bool = True
    # Keys that encrypt backups (`carinho backup --new-key` prints one), comma-separated: the first
    # encrypts, all decrypt (rotation). Empty: backups are compressed, not encrypted.
    backup_encryption_keys: SecretStr = SecretStr("")
    # Retention (LGPD; seed 000: "Eventos podem ser anonimizados após processamento"): the hub
    # anonymises events settled (processed or ignored) this many days ago; 0 keeps them forever.
    integracoes_event_retention_days: int = Field(default=30, ge=0, le=3650)
    # Z-API group messages are recorded as `ignored` unless this is on.
    zapi_accept_group_messages: bool = False
    # Group commit: at most this many inbound events share one transaction, and a batch waits for
    # more at most this long (it closes as soon as a turn of the event loop brings no new event).
    ingest_batch_max: int = Field(default=256, ge=1)
    ingest_batch_wait_ms: float = Field(default=5.0, ge=0)
    # The fast ingest (kit/fast_ingest: the webhooks' raw-ASGI gateway, group commit, batches written
    # on the event loop). Off, for debugging: the webhooks go through FastAPI's routes and each event
    # is stored in a transaction of its own, with Core's statements.
    ingest_fast_path: bool = True

    @field_validator(
        "event_retry_schedule_seconds",
        "webhook_retry_schedule_seconds",
        "whatsapp_send_retry_schedule_seconds",
        "emergency_delivery_retry_schedule_seconds",
        "document_email_retry_schedule_seconds",
    )
    @classmethod
    def _readable_retry_schedule(cls, value: str) -> str:
        parse_schedule(value)  # a bad list stops the start, not the first retry
        return value

    @field_validator(
        "whatsapp_send_retry_schedule_seconds",
        "emergency_delivery_retry_schedule_seconds",
        "document_email_retry_schedule_seconds",
    )
    @classmethod
    def _some_retry_wait(cls, value: str) -> str:
        if not parse_schedule(value):
            raise ValueError("needs at least one wait (its last one repeats)")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.carinho_env is not Environment.production:
            return self
        from carinho.settings_check import SettingsProblems, production_problems

        problems = production_problems(self)
        if problems:
            raise SettingsProblems(problems)
        return self

    def secret_values(self) -> dict[str, str]:
        """Secrets that production requires to be real."""
        names = ["session_secret", "zapi_webhook_secret"] + [f"webhook_secret_{s}" for s in WEBHOOK_SOURCES]
        if self.zapi_enabled:
            names += ["zapi_token", "zapi_client_token"]
        return {n: getattr(self, n).get_secret_value() for n in names}

    def log_secrets(self) -> list[str]:
        """Every configured secret value, for the log masker: each `SecretStr` setting (Z-API tokens,
        API keys of the Carinho systems, webhook secrets, SESSION_SECRET, SMTP password, ...), each
        payload encryption key on its own, and the passwords inside the database and Redis URLs."""
        values: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
        values += self.payload_encryption_keys.get_secret_value().split(",")
        values += self.backup_encryption_keys.get_secret_value().split(",")
        for url in (self.integracoes_database_url, self.atendimento_database_url, self.redis_url):
            password = urlsplit(url).password if "://" in url else None
            if password:
                values += [password, unquote(password)]
        return sorted({v.strip() for v in values if v and v.strip()})

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


SECRETS_FILE = "secrets.env"


ENV_FILE_VARIABLE = "CARINHO_ENV_FILE"


class _DataDir(BaseSettings):
    """Where the data directory is, read before the full settings (its secrets file is one of
    their sources)."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)
    carinho_data_dir: Path = Path("./var")


def env_files() -> list[Path]:
    """`.env` in the working directory, then the file CARINHO_ENV_FILE names (deploy/carinho-env and
    the systemd units set it: parsed as dotenv, so values may hold spaces and parentheses)."""
    files = [Path(".env")]
    named = os.environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        if not Path(named).is_file():
            from carinho.settings_check import SettingsProblems

            raise SettingsProblems({ENV_FILE_VARIABLE: f"names {named}, which is not a readable file"})
        files.append(Path(named))
    return files


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and the env files, plus the secrets `carinho up` generated on
    first start (`$CARINHO_DATA_DIR/secrets.env`); real environment variables always win."""
    files = env_files()
    data_dir = overrides.get("carinho_data_dir") or _DataDir(_env_file=files).carinho_data_dir
    generated = Path(data_dir) / SECRETS_FILE
    if generated.exists():
        files.append(generated)
    return Settings(_env_file=tuple(files), **overrides)


@lru_cache
def get_settings() -> Settings:
    return load_settings()
