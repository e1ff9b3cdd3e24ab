"""Point every connector the user left unconfigured at the sandbox (the embedded default).

The sandbox's defaults fill only what the user left empty: a setting given a value in the
environment, `.env` or code is never replaced. Z-API is simulated when ZAPI_INSTANCE_ID is empty (the
simulated instance's id, and its token and Client-Token where those are empty; ZAPI_BASE_URL where it
is unset or still the public Z-API address, where a simulated instance does not exist); a Carinho
system when CARINHO_<SYSTEM>_URL is empty; e-mail when neither MAIL_PORT nor MAIL_USERNAME is set and
MAIL_HOST is unset or local. The generated credentials live in
`$CARINHO_DATA_DIR/sandbox/credentials.json` (mode 600), so clients and simulators agree without
special cases in callers. `simulated_systems()` says, from the resulting settings, what the sandbox
stands in for; `carinho up` prints it.
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
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
PUBLIC_ZAPI_URL = str(Settings.model_fields["zapi_base_url"].default)
SYSTEM_LABELS = {
    "zapi": "Z-API (WhatsApp)",
    "mail": "e-mail (SMTP)",
    "crm": "CRM",
    "operacao": "operação",
    "financeiro": "financeiro",
    "cuidadores": "cuidadores",
    "site": "site",
    "marketing": "marketing",
    "documentos": "documentos",
    "atendimento": "atendimento",
}


def sandbox_host(settings: Settings) -> str:
    host = settings.bind_host
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104


def sandbox_url(settings: Settings) -> str:
    return f"http://{sandbox_host(settings)}:{settings.sandbox_port}"


def user_set(settings: Settings, name: str) -> bool:
    """Whether the user gave `name` a value (environment, `.env`, or code), rather than leaving it
    unset or empty."""
    if name not in settings.model_fields_set:
        return False
    value = getattr(settings, name)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value not in ("", None)


def with_sandbox_defaults(
    settings: Settings, *, local_atendimento: bool = False
) -> tuple[Settings, dict[str, str]]:
    """(settings pointing at the sandbox where the user configured nothing, credentials created now).

    `local_atendimento`: the real atendimento runs in this process (`carinho up`), so the hub talks
    to it rather than to its simulator."""
    if not settings.sandbox_enabled:
        return settings, {}
    base = sandbox_url(settings)
    stored, created = _credentials(settings.carinho_data_dir / "sandbox" / CREDENTIALS_FILE)
    update: dict[str, Any] = {}
    shown: dict[str, str] = {}
    if not user_set(settings, "zapi_instance_id"):
        if not user_set(settings, "zapi_base_url") or settings.zapi_base_url == PUBLIC_ZAPI_URL:
            update["zapi_base_url"] = f"{base}/zapi"
        update["zapi_instance_id"] = stored["zapi_instance_id"]
        shown["SANDBOX ZAPI_INSTANCE_ID"] = stored["zapi_instance_id"]
        for name in ("zapi_token", "zapi_client_token"):
            if not user_set(settings, name):
                update[name] = SecretStr(stored[name])
                shown[f"SANDBOX {name.upper()}"] = stored[name]
    update |= _mail_defaults(settings)
    for system in CARINHO_SYSTEMS:
        if user_set(settings, f"carinho_{system}_url"):
            continue
        if system == "atendimento" and local_atendimento:
            update["carinho_atendimento_url"] = f"{base.rsplit(':', 1)[0]}:{settings.atendimento_port}"
        else:
            update[f"carinho_{system}_url"] = f"{base}/{system}"
        if not user_set(settings, f"carinho_{system}_api_key"):
            update[f"carinho_{system}_api_key"] = SecretStr(stored[f"{system}_api_key"])
    return settings.model_copy(update=update), shown if created else {}


def _mail_defaults(settings: Settings) -> dict[str, Any]:
    """MAIL_HOST/MAIL_PORT for the sandbox's SMTP sink, unless the user chose a mail server: a
    non-local MAIL_HOST, any MAIL_PORT, or a MAIL_USERNAME (the sink has no accounts)."""
    if user_set(settings, "mail_port") or user_set(settings, "mail_username"):
        return {}
    if user_set(settings, "mail_host"):
        if settings.mail_host not in LOCAL_HOSTS:
            return {}
        return {"mail_port": settings.sandbox_smtp_port}
    return {"mail_host": sandbox_host(settings), "mail_port": settings.sandbox_smtp_port}


def simulated_systems(settings: Settings) -> list[str]:
    """What the sandbox stands in for under these (already defaulted) settings: "zapi", "mail" and
    the Carinho systems whose URL points at it, in SYSTEM_LABELS order."""
    if not settings.sandbox_enabled:
        return []
    base = sandbox_url(settings)
    found = []
    if settings.zapi_base_url.startswith(base):
        found.append("zapi")
    sink_hosts = (*LOCAL_HOSTS, sandbox_host(settings))
    if settings.mail_host in sink_hosts and settings.mail_port == settings.sandbox_smtp_port:
        found.append("mail")
    found += [s for s in CARINHO_SYSTEMS if settings.system_url(s).startswith(base)]
    return found


def serves_connectors(settings: Settings) -> bool:
    """Whether `carinho up` needs the sandbox: some connector (or the mail) points at it."""
    return bool(simulated_systems(settings))


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
