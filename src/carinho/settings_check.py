"""What production requires of the settings, and how a refusal is explained to the person starting
a process: one paragraph naming each setting to fix and how (English, then Portuguese), never a
traceback. `carinho secrets generate` prints a file that passes these checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from carinho.config import Settings

MIN_SECRET_LENGTH = 16
PLACEHOLDER_MARKERS = ("change-me", "changeme", "seu-", "sua-", "placeholder", "example")
SERVER_DATABASES = ("postgresql", "mysql", "mariadb")
# Credentials Z-API issues (their length is theirs); the other secrets are ours to make long.
ISSUED_BY_ZAPI = ("zapi_token", "zapi_client_token")


class SettingsProblems(ValueError):
    """Settings production refuses: {SETTING_NAME: what is wrong and how to fix it}."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems.items()))


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return not value or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def production_problems(settings: Settings) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, value in settings.secret_values().items():
        if not value:
            problems[name.upper()] = "missing"
        elif is_placeholder(value):
            problems[name.upper()] = "still the example's placeholder"
        elif len(value) < MIN_SECRET_LENGTH and name not in ISSUED_BY_ZAPI:
            problems[name.upper()] = f"too short (at least {MIN_SECRET_LENGTH} characters)"
    for context in ("integracoes", "atendimento"):
        url = getattr(settings, f"{context}_database_url")
        if not url.startswith(SERVER_DATABASES):
            problems[f"{context.upper()}_DATABASE_URL"] = (
                f"{'missing' if not url else 'not a server database'} "
                f"(postgresql+asyncpg://user:password@host/{context} or mysql+asyncmy://…)"
            )
    if not settings.redis_url:
        problems["REDIS_URL"] = "missing (redis://host:6379/0: the broker shared by every process)"
    problems |= _encryption_problems(settings)
    return problems


def _encryption_problems(settings: Settings) -> dict[str, str]:
    from carinho.kit.crypto import cipher_for

    keys = settings.payload_encryption_keys.get_secret_value()
    if not keys.strip():
        if settings.allow_unencrypted_payloads:
            return {}
        return {
            "PAYLOAD_ENCRYPTION_KEYS": "missing: personal data would be stored in clear "
            "(ALLOW_UNENCRYPTED_PAYLOADS=true accepts that, and /status says so)"
        }
    try:
        cipher_for(keys)
    except ValueError:
        return {"PAYLOAD_ENCRYPTION_KEYS": "not a list of Fernet keys (44 characters of base64 each)"}
    return {}


def production_warnings(settings: Settings) -> list[dict[str, str]]:
    """What an operator deliberately accepted that weakens production ({code, message}): shown by
    /health/detailed and /status (whose page says it in Portuguese, by code)."""
    warnings: list[dict[str, str]] = []
    if settings.carinho_env == "production" and not settings.payload_encryption_keys.get_secret_value():
        warnings.append(
            {
                "code": "unencrypted_payloads",
                "message": "PAYLOAD_ENCRYPTION_KEYS is empty and ALLOW_UNENCRYPTED_PAYLOADS=true: "
                "webhook payloads (personal data) are stored in clear",
            }
        )
    return warnings


def explain(error: ValidationError | SettingsProblems) -> str:
    """The refusal of a settings error as a person reads it (the CLI prints it and exits)."""
    problems: dict[str, str] = {}
    if isinstance(error, SettingsProblems):
        problems = error.problems
    for item in error.errors() if isinstance(error, ValidationError) else []:
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, SettingsProblems):
            problems |= cause.problems
        else:
            name = "_".join(str(part) for part in item["loc"]).upper() or "SETTINGS"
            problems[name] = item["msg"]
    listed = "\n".join(f"  - {name}: {why}" for name, why in problems.items())
    return (
        "Carinho cannot start: these settings are missing or invalid:\n"
        f"{listed}\n"
        "Set them in the environment or in the env file (.env, or the file CARINHO_ENV_FILE names). "
        "`carinho secrets generate` prints a complete production env file with fresh secrets; the "
        'README\'s "Production profile" lists every setting.\n'
        "O Carinho não pode iniciar: as configurações acima faltam ou são inválidas. Defina-as no "
        "ambiente ou no arquivo de configuração; `carinho secrets generate` gera um arquivo completo "
        "para produção com segredos novos."
    )
