"""`carinho up` points connectors at the sandbox where nothing real is configured."""

from __future__ import annotations

import stat
from pathlib import Path

from carinho.config import CARINHO_SYSTEMS, Settings
from carinho.sandbox.defaults import serves_connectors, with_sandbox_defaults


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
