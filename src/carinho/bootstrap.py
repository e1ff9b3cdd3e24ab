"""First start: data directory, generated secrets, migrations and the first credentials."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from carinho.config import SECRETS_FILE, WEBHOOK_SOURCES, Settings, load_settings
from carinho.kit import migrations
from carinho.kit.signatures import new_whsec
from carinho.runtime import CONTEXTS, Runtime


@dataclass
class Credentials:
    """What a first start created; printed once, stored hashed where that is possible."""

    secrets: dict[str, str] = field(default_factory=dict)
    api_key: str | None = None
    admin_email: str | None = None
    admin_password: str | None = None
    console_email: str | None = None
    console_password: str | None = None

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.api_key:
            out.append(f"Hub API key (X-API-Key):      {self.api_key}")
        if self.admin_email:
            out.append(f"atendimento admin login:      {self.admin_email}")
            out.append(f"atendimento admin senha:      {self.admin_password}")
        if self.console_email:
            out.append(f"hub console admin login:      {self.console_email}")
            out.append(f"hub console admin senha:      {self.console_password}")
        out += [f"{name}={value}" for name, value in self.secrets.items()]
        return out


def ensure_secrets(settings: Settings) -> tuple[Settings, dict[str, str]]:
    """Generate the inbound webhook and session secrets the environment does not set, once, into
    `$CARINHO_DATA_DIR/secrets.env` (mode 600)."""
    settings.carinho_data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.carinho_data_dir / SECRETS_FILE
    wanted = ["zapi_webhook_secret", "session_secret"] + [f"webhook_secret_{s}" for s in WEBHOOK_SOURCES]
    created: dict[str, str] = {}
    for name in wanted:
        if not getattr(settings, name).get_secret_value():
            created[name.upper()] = (
                new_whsec() if name.startswith("webhook_secret") else secrets.token_urlsafe(24)
            )
    if created:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.writelines(f"{k}={v}\n" for k, v in created.items())
        settings = load_settings()
    return settings, created


def with_local_hub(settings: Settings) -> Settings:
    """`carinho up`: atendimento reaches the hub running beside it (data-subject erasures), with an
    API key generated once into `$CARINHO_DATA_DIR/secrets.env`; explicit settings win."""
    from pydantic import SecretStr

    from carinho.integracoes.apikeys.service import new_plaintext

    update: dict[str, object] = {}
    if not settings.carinho_integracoes_url:
        host = settings.bind_host if settings.bind_host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
        update["carinho_integracoes_url"] = f"http://{host}:{settings.integracoes_port}"
    if not settings.carinho_integracoes_api_key.get_secret_value():
        key = new_plaintext()
        settings.carinho_data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(settings.carinho_data_dir / SECRETS_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"CARINHO_INTEGRACOES_API_KEY={key}\n")
        update["carinho_integracoes_api_key"] = SecretStr(key)
    return settings.model_copy(update=update) if update else settings


async def ensure_local_hub_key(rt: Runtime) -> None:
    """atendimento's key to the hub (`with_local_hub`'s, or the one `carinho secrets generate` wrote)
    registered in the hub — idempotent."""
    from carinho.integracoes.apikeys.service import api_key_service

    plaintext = rt.settings.carinho_integracoes_api_key.get_secret_value()
    if not plaintext.startswith("ck_"):
        return  # a key of another hub, configured by hand
    async with rt.db("integracoes").session() as session:
        await api_key_service.register(session, "atendimento (carinho up)", plaintext)
        await session.commit()


def migrate_all(settings: Settings) -> None:
    for context in CONTEXTS:
        migrations.upgrade(context, settings.database_url(context))


async def ensure_first_credentials(rt: Runtime, credentials: Credentials) -> None:
    from carinho.atendimento.agents.models import Role, SupportLevel
    from carinho.atendimento.agents.service import agent_service
    from carinho.integracoes.apikeys.service import api_key_service

    async with rt.db("integracoes").session() as session:
        if not await api_key_service.has_active(session):
            _, credentials.api_key = await api_key_service.create(session, "carinho up")
            await session.commit()
    async with rt.db("integracoes").session() as session:
        from carinho.integracoes.operators.models import OperatorRole
        from carinho.integracoes.operators.service import operator_service

        # The console's first operator is an administrator: it creates the others.
        if not await operator_service.has_admin(session):
            email = "admin@carinho.com.vc"
            _, credentials.console_password = await operator_service.create(
                session, name="Administrador", email=email, role=OperatorRole.admin
            )
            credentials.console_email = email
            await session.commit()
    async with rt.db("integracoes").session() as session:
        from carinho.integracoes.mappings.service import mapping_service

        await mapping_service.seed_defaults(session)  # idempotent: the automations' default mappings
        await session.commit()
    async with rt.db("atendimento").session() as session:
        # The first account is an administrator: it creates the others (agents, supervisors).
        if not await agent_service.has_manager(session):
            email = "admin@carinho.com.vc"
            _, credentials.admin_password = await agent_service.create(
                session,
                name="Administrador",
                email=email,
                role=Role.admin,
                level=SupportLevel.n3,
            )
            credentials.admin_email = email
            await session.commit()
    async with rt.db("atendimento").session() as session:
        from carinho.atendimento.seed import seed_defaults

        await seed_defaults(session)  # idempotent: templates, rules, triage, schedule ...
        await session.commit()


def first_start(settings: Settings) -> tuple[Settings, Credentials]:
    """Synchronous part of a start: secrets and migrations (before any event loop runs)."""
    settings, created = ensure_secrets(settings)
    migrate_all(settings)
    return settings, Credentials(secrets=created)
