"""Point every connector whose real URL is not configured at the sandbox (the embedded default).

Z-API counts as configured when ZAPI_INSTANCE_ID is set; a Carinho system when CARINHO_<SYSTEM>_URL
is. For the others the sandbox generates, once, the simulated instance's id, token and Client-Token
and an API key per system, keeps them in `$CARINHO_DATA_DIR/sandbox/credentials.json` (mode 600) and
returns settings that use them, so clients and simulators agree without special cases in callers.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from carinho.config import CARINHO_SYSTEMS, Settings

CREDENTIALS_FILE = "credentials.json"


def sandbox_url(settings: Settings) -> str:
    host = settings.bind_host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104
        host = "127.0.0.1"
    return f"http://{host}:{settings.sandbox_port}"


def with_sandbox_defaults(
    settings: Settings, *, local_atendimento: bool = False
) -> tuple[Settings, dict[str, str]]:
    """(settings pointing at the sandbox where nothing real is configured, credentials created now).

    `local_atendimento`: the real atendimento runs in this process (`carinho up`), so the hub talks
    to it rather than to its simulator."""
    if not settings.sandbox_enabled:
        return settings, {}
    base = sandbox_url(settings)
    stored, created = _credentials(settings.carinho_data_dir / "sandbox" / CREDENTIALS_FILE)
    update: dict[str, Any] = {}
    shown: dict[str, str] = {}
    if not settings.zapi_instance_id:
        update["zapi_base_url"] = f"{base}/zapi"
        update["zapi_instance_id"] = stored["zapi_instance_id"]
        update["zapi_token"] = SecretStr(stored["zapi_token"])
        if not settings.zapi_client_token.get_secret_value():
            update["zapi_client_token"] = SecretStr(stored["zapi_client_token"])
        if created:
            shown = {
                "SANDBOX ZAPI_INSTANCE_ID": stored["zapi_instance_id"],
                "SANDBOX ZAPI_TOKEN": stored["zapi_token"],
                "SANDBOX ZAPI_CLIENT_TOKEN": stored["zapi_client_token"],
            }
    if local_mail_unconfigured(settings):
        update["mail_port"] = settings.sandbox_smtp_port
    for system in CARINHO_SYSTEMS:
        if settings.system_url(system):
            continue
        if system == "atendimento" and local_atendimento:
            update["carinho_atendimento_url"] = f"{base.rsplit(':', 1)[0]}:{settings.atendimento_port}"
        else:
            update[f"carinho_{system}_url"] = f"{base}/{system}"
        if not settings.system_api_key(system):
            update[f"carinho_{system}_api_key"] = SecretStr(stored[f"{system}_api_key"])
    return settings.model_copy(update=update), shown


def local_mail_unconfigured(settings: Settings) -> bool:
    """MAIL_* still at the local defaults: the sandbox's SMTP sink receives the mail."""
    return settings.mail_host in ("127.0.0.1", "localhost") and not settings.mail_username


def serves_connectors(settings: Settings) -> bool:
    """Whether `carinho up` needs the sandbox: some connector (or the mail) points at it."""
    if not settings.sandbox_enabled:
        return False
    base = sandbox_url(settings)
    urls = [settings.zapi_base_url] + [settings.system_url(s) for s in CARINHO_SYSTEMS]
    local_mail = (
        settings.mail_host in ("127.0.0.1", "localhost") and settings.mail_port == settings.sandbox_smtp_port
    )
    return local_mail or any(url.startswith(base) for url in urls)


def _credentials(path: Path) -> tuple[dict[str, str], bool]:
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if _complete(stored):
            return stored, False
    stored = {
        "zapi_instance_id": secrets.token_hex(16).upper(),
        "zapi_token": secrets.token_hex(12).upper(),
        "zapi_client_token": "F" + secrets.token_hex(16) + "S",
    }
    stored.update({f"{s}_api_key": "sbx_" + secrets.token_urlsafe(24) for s in CARINHO_SYSTEMS})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(stored, fh, indent=2)
    return stored, True


def _complete(stored: dict[str, str]) -> bool:
    keys = ["zapi_instance_id", "zapi_token", "zapi_client_token"] + [f"{s}_api_key" for s in CARINHO_SYSTEMS]
    return all(isinstance(stored.get(k), str) and stored[k] for k in keys)
