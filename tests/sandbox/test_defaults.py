"""`carinho up` points connectors at the sandbox where nothing real is configured."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from carinho.bootstrap import Credentials
from carinho.config import CARINHO_SYSTEMS, Settings
from carinho.embedded import announcement
from carinho.sandbox.defaults import serves_connectors, simulated_systems, with_sandbox_defaults


def fresh(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, carinho_data_dir=tmp_path, **values)  # type: ignore[call-arg]


def test_unconfigured_connectors_point_at_the_sandbox_with_generated_credentials(tmp_path: Path) -> None:
    settings, shown = with_sandbox_defaults(fresh(tmp_path, sandbox_port=18099))
    assert settings.zapi_base_url == "http://127.0.0.1:18099/zapi"
    assert len(settings.zapi_instance_id) == 32 and len(settings.zapi_token.get_secret_value()) == 24
    client_token = settings.zapi_client_token.get_secret_value()
    assert client_token.startswith("F") and client_token.endswith("S")
    for system in CARINHO_SYSTEMS:
        assert settings.system_url(system) == f"http://127.0.0.1:18099/{system}"
        assert settings.system_api_key(system).startswith("sbx_")
    assert shown["SANDBOX ZAPI_INSTANCE_ID"] == settings.zapi_instance_id
    credentials = tmp_path / "sandbox" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600

    again, shown_again = with_sandbox_defaults(fresh(tmp_path, sandbox_port=18099))
    assert shown_again == {}
    assert again.zapi_instance_id == settings.zapi_instance_id
    assert again.system_api_key("crm") == settings.system_api_key("crm")


def test_real_configuration_is_left_alone(tmp_path: Path) -> None:
    settings, shown = with_sandbox_defaults(
        fresh(
            tmp_path,
            zapi_instance_id="REAL",
            zapi_token="T",
            zapi_client_token="C",
            carinho_crm_url="https://crm.carinho.com.vc",
            carinho_crm_api_key="real-key",
        )
    )
    assert settings.zapi_base_url == "https://api.z-api.io" and settings.zapi_instance_id == "REAL"
    assert settings.system_url("crm") == "https://crm.carinho.com.vc"
    assert settings.system_api_key("crm") == "real-key"
    assert settings.system_url("operacao").endswith("/operacao")
    assert shown == {}


def test_disabled_sandbox_changes_nothing(tmp_path: Path) -> None:
    original = fresh(tmp_path, sandbox_enabled=False)
    settings, shown = with_sandbox_defaults(original)
    assert settings is original and shown == {}
    assert not (tmp_path / "sandbox").exists()


def test_the_sandbox_is_served_only_when_something_uses_it(tmp_path: Path) -> None:
    settings, _ = with_sandbox_defaults(fresh(tmp_path))
    assert serves_connectors(settings)
    everything_real = {f"carinho_{s}_url": f"https://{s}.carinho.com.vc" for s in CARINHO_SYSTEMS}
    real, _ = with_sandbox_defaults(
        fresh(
            tmp_path,
            zapi_instance_id="REAL",
            mail_host="smtp.carinho.com.vc",
            mail_port=587,
            **everything_real,
        )
    )
    assert not serves_connectors(real)
    assert not serves_connectors(fresh(tmp_path, sandbox_enabled=False))


def test_carinho_up_forwards_to_its_own_atendimento_and_mail_to_the_sink(tmp_path) -> None:
    settings, _ = with_sandbox_defaults(
        fresh(tmp_path, sandbox_port=18099, atendimento_port=18001, sandbox_smtp_port=12025),
        local_atendimento=True,
    )
    assert settings.carinho_atendimento_url == "http://127.0.0.1:18001"
    assert settings.carinho_crm_url == "http://127.0.0.1:18099/crm"
    assert settings.mail_port == 12025
    standalone, _ = with_sandbox_defaults(fresh(tmp_path, sandbox_port=18099))
    assert standalone.carinho_atendimento_url == "http://127.0.0.1:18099/atendimento"


# Issue 15, item 11: explicit settings win; the sandbox fills only what the user left empty.


def from_environment(monkeypatch, tmp_path: Path, **env: str) -> Settings:  # type: ignore[no-untyped-def]
    """Settings as `carinho up` reads them: from the process environment."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None, carinho_data_dir=tmp_path)  # type: ignore[call-arg]


def test_mail_host_and_port_set_by_the_user_survive(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = from_environment(
        monkeypatch, tmp_path, MAIL_HOST="127.0.0.1", MAIL_PORT="2525", SANDBOX_SMTP_PORT="12025"
    )
    settings, _ = with_sandbox_defaults(user, local_atendimento=True)
    assert (settings.mail_host, settings.mail_port) == ("127.0.0.1", 2525)
    assert "mail" not in simulated_systems(settings)

    only_port = from_environment(monkeypatch, tmp_path, MAIL_PORT="2525", SANDBOX_SMTP_PORT="12025")
    settings, _ = with_sandbox_defaults(only_port, local_atendimento=True)
    assert settings.mail_port == 2525

    local_host_only = from_environment(
        monkeypatch, tmp_path, MAIL_HOST="localhost", SANDBOX_SMTP_PORT="12025"
    )
    settings, _ = with_sandbox_defaults(local_host_only, local_atendimento=True)
    assert (settings.mail_host, settings.mail_port) == ("localhost", 12025)  # the empty port is filled
    assert "mail" in simulated_systems(settings)

    with_account = from_environment(monkeypatch, tmp_path, MAIL_USERNAME="relay", SANDBOX_SMTP_PORT="12025")
    settings, _ = with_sandbox_defaults(with_account, local_atendimento=True)
    assert settings.mail_port == 1025 and "mail" not in simulated_systems(settings)


def test_empty_mail_settings_get_the_sandbox_sink(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = from_environment(
        monkeypatch, tmp_path, MAIL_HOST="", BIND_HOST="0.0.0.0", SANDBOX_SMTP_PORT="12025"
    )
    settings, _ = with_sandbox_defaults(user, local_atendimento=True)
    assert (settings.mail_host, settings.mail_port) == ("127.0.0.1", 12025)
    assert "mail" in simulated_systems(settings)


def _explicit_value(name: str, field_type: object) -> object:
    if name == "mail_host":
        return "smtp.explicit.example"
    if field_type is int:
        return 2525
    if name.endswith("_url"):
        return f"https://explicit.example/{name}"
    return f"explicit-{name}"


def test_every_setting_the_sandbox_fills_keeps_an_explicit_value(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Whatever the sandbox would fill on an empty configuration, a value the user gave survives."""
    ports = {"SANDBOX_SMTP_PORT": "12025", "SANDBOX_PORT": "18099"}
    empty = from_environment(monkeypatch, tmp_path, **ports)
    defaulted, _ = with_sandbox_defaults(empty, local_atendimento=True)
    filled = [n for n in Settings.model_fields if getattr(defaulted, n) != getattr(empty, n)]
    assert {"zapi_base_url", "zapi_instance_id", "zapi_token", "mail_port", "carinho_crm_url"} <= set(filled)
    for name in filled:
        field_type = Settings.model_fields[name].annotation
        value = _explicit_value(name, field_type)
        user = from_environment(monkeypatch, tmp_path, **ports, **{name.upper(): str(value)})
        settings, _ = with_sandbox_defaults(user, local_atendimento=True)
        got = getattr(settings, name)
        got = got.get_secret_value() if hasattr(got, "get_secret_value") else got
        assert got == value, f"{name.upper()} set by the user was replaced by {got!r}"


def test_a_partial_zapi_configuration_keeps_what_the_user_set(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = from_environment(
        monkeypatch, tmp_path, ZAPI_BASE_URL="http://127.0.0.1:9/zapi-proxy", ZAPI_CLIENT_TOKEN="mine"
    )
    settings, shown = with_sandbox_defaults(user)
    assert settings.zapi_base_url == "http://127.0.0.1:9/zapi-proxy"
    assert settings.zapi_client_token.get_secret_value() == "mine"
    assert settings.zapi_instance_id and "SANDBOX ZAPI_CLIENT_TOKEN" not in shown
    # The public Z-API address (as in .env.example) without an instance: the sandbox stands in.
    copied_example = from_environment(monkeypatch, tmp_path, ZAPI_BASE_URL="https://api.z-api.io")
    settings, _ = with_sandbox_defaults(copied_example)
    assert settings.zapi_base_url.endswith("/zapi") and "zapi" in simulated_systems(settings)


def test_the_start_message_lists_the_simulated_systems(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = from_environment(
        monkeypatch,
        tmp_path,
        MAIL_HOST="smtp.carinho.com.vc",
        MAIL_PORT="587",
        CARINHO_CRM_URL="https://crm.carinho.com.vc",
    )
    settings, _ = with_sandbox_defaults(user, local_atendimento=True)
    simulated_line = next(
        line for line in announcement(settings, Credentials()).splitlines() if "simulated" in line
    )
    assert "Z-API (WhatsApp)" in simulated_line and "operação" in simulated_line
    assert "CRM" not in simulated_line and "e-mail" not in simulated_line
    assert "atendimento" not in simulated_line  # `carinho up` runs the real one

    everything = {f"CARINHO_{s.upper()}_URL": f"https://{s}.carinho.com.vc" for s in CARINHO_SYSTEMS}
    real = from_environment(
        monkeypatch, tmp_path, ZAPI_INSTANCE_ID="REAL", MAIL_HOST="smtp.carinho.com.vc", **everything
    )
    settings, _ = with_sandbox_defaults(real, local_atendimento=True)
    assert "simulated    nothing" in announcement(settings, Credentials())


@pytest.mark.slow
async def test_carinho_up_keeps_the_users_mail_server_and_says_what_it_simulates(tmp_path: Path) -> None:
    from tests.support.processes import carinho_env, free_port, running, stop, wait_until

    env = carinho_env(
        carinho_data_dir=tmp_path / "data",
        integracoes_port=free_port(),
        atendimento_port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        mail_host="127.0.0.1",
        mail_port=free_port(),  # the user's own relay: not the sandbox's sink
        carinho_crm_url="http://127.0.0.1:9/crm",
    )
    log = tmp_path / "up.log"

    async def ready() -> bool:
        return log.exists() and "Press Ctrl-C to stop." in log.read_text(errors="replace")

    with running(["up"], env, log) as process:
        await wait_until(ready, timeout=180, what="carinho up", log=log)
        assert stop(process) == 0
    output = log.read_text(errors="replace")
    simulated = next(line for line in output.splitlines() if line.strip().startswith("simulated"))
    assert "Z-API (WhatsApp)" in simulated and "financeiro" in simulated
    assert "e-mail" not in simulated and "CRM" not in simulated
    assert f"(SMTP :{env['SANDBOX_SMTP_PORT']})" not in output
