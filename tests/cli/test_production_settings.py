"""Starting the production profile from the README: what a missing setting looks like, and the env
file `carinho secrets generate` prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from carinho.config import ENV_FILE_VARIABLE, load_settings
from carinho.settings_check import production_problems
from tests.support.processes import carinho_env


def carinho(tmp_path: Path, *args: str, **env: object) -> subprocess.CompletedProcess[str]:
    environment = carinho_env(carinho_data_dir=tmp_path, **env)
    if "carinho_env" not in env:
        environment.pop("CARINHO_ENV", None)  # the test suite's own: here the env file says which
    return subprocess.run(
        [sys.executable, "-m", "carinho", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_start_without_settings_says_what_to_set_without_a_traceback(tmp_path: Path) -> None:
    result = carinho(tmp_path, "migrate", carinho_env="production")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name in (
        "SESSION_SECRET",
        "WEBHOOK_SECRET_SITE",
        "INTEGRACOES_DATABASE_URL",
        "REDIS_URL",
        "PAYLOAD_ENCRYPTION_KEYS",
    ):
        assert f"  - {name}: " in result.stderr
    assert "carinho secrets generate" in result.stderr and "O Carinho não pode iniciar" in result.stderr


def test_an_invalid_value_is_named_in_development_too(tmp_path: Path) -> None:
    result = carinho(tmp_path, "migrate", ingest_batch_max="muitos")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "INGEST_BATCH_MAX" in result.stderr


def test_the_generated_env_file_is_a_complete_production_configuration(tmp_path: Path, monkeypatch) -> None:
    generated = carinho(tmp_path, "secrets", "generate", "--sandbox", "--database", "mariadb")
    assert generated.returncode == 0, generated.stderr
    env_file = tmp_path / "carinho.env"
    env_file.write_text(generated.stdout)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARINHO_ENV")
    monkeypatch.delenv("CARINHO_DATA_DIR", raising=False)
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(env_file))
    settings = load_settings()  # production: refuses anything missing
    assert settings.carinho_env == "production" and production_problems(settings) == {}
    assert settings.database_url("atendimento").startswith("mysql+asyncmy://")
    assert settings.webhook_secret("site").startswith("whsec_")
    assert settings.system_url("crm") == "http://127.0.0.1:8099/crm"
    again = carinho(tmp_path, "secrets", "generate").stdout
    session_lines = {
        line
        for text in (generated.stdout, again)
        for line in text.splitlines()
        if line.startswith("SESSION_SECRET=")
    }
    assert len(session_lines) == 2  # fresh secrets each time
    assert "ZAPI_TOKEN=\n" in again  # the real Z-API's credentials are the operator's to fill


def test_a_generated_file_without_the_sandbox_refuses_to_start_until_the_real_systems_are_filled(
    tmp_path: Path,
) -> None:
    generated = carinho(tmp_path, "secrets", "generate")
    (tmp_path / "carinho.env").write_text(generated.stdout)
    result = carinho(tmp_path, "migrate", **{ENV_FILE_VARIABLE: tmp_path / "carinho.env"})
    assert result.returncode == 2 and "ZAPI_TOKEN: missing" in result.stderr
    assert "SESSION_SECRET" not in result.stderr and "Traceback" not in result.stderr
