"""The `carinho` command as an operator uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from carinho import runtime
from carinho.config import Settings
from carinho.errors import Unauthorized
from carinho.integracoes.apikeys.service import api_key_service
from tests.support.processes import ROOT, carinho_env


def carinho(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carinho", *args],
        cwd=ROOT,
        env=carinho_env(carinho_data_dir=tmp_path, carinho_log_level="WARNING"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_apikey_create_list_revoke(tmp_path: Path) -> None:
    assert carinho(tmp_path, "migrate").returncode == 0
    created = carinho(tmp_path, "apikey", "create", "crm")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("ck_")

    rt = runtime.configure(Settings(_env_file=None, carinho_data_dir=tmp_path))  # type: ignore[call-arg]
    async with rt.db("integracoes").session() as session:
        assert (await api_key_service.authenticate(session, key)).name == "crm"

    listed = carinho(tmp_path, "apikey", "list")
    assert "crm" in listed.stdout and key not in listed.stdout  # never the secret again
    assert carinho(tmp_path, "apikey", "revoke", key).returncode == 0
    async with rt.db("integracoes").session() as session:
        with pytest.raises(Unauthorized):
            await api_key_service.authenticate(session, key)
    assert "revoked" in carinho(tmp_path, "apikey", "list").stdout
    missing = carinho(tmp_path, "apikey", "revoke", "999")
    assert missing.returncode == 1 and "not found" in missing.stderr
    await rt.db("integracoes").dispose()


def test_migrate_down_and_up_again(tmp_path: Path) -> None:
    assert carinho(tmp_path, "migrate").returncode == 0
    down = carinho(tmp_path, "migrate", "--context", "integracoes", "--revision", "base", "--down")
    assert down.returncode == 0 and "downgraded to base" in down.stdout
    assert carinho(tmp_path, "migrate").returncode == 0


def test_seed_is_idempotent_and_shows_credentials_once(tmp_path: Path) -> None:
    first = carinho(tmp_path, "seed")
    assert first.returncode == 0, first.stderr
    assert "admin@carinho.com.vc" in first.stdout and "ck_" in first.stdout
    assert "WEBHOOK_SECRET_SITE=whsec_" in first.stdout
    second = carinho(tmp_path, "seed")
    assert second.returncode == 0 and "ck_" not in second.stdout and "whsec_" not in second.stdout
    secrets_file = tmp_path / "secrets.env"
    assert secrets_file.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_worker_refuses_to_start_without_redis(tmp_path: Path) -> None:
    result = carinho(tmp_path, "worker")
    assert result.returncode == 2 and "REDIS_URL" in result.stderr


def test_worker_rejects_unknown_lanes(tmp_path: Path) -> None:
    result = carinho(tmp_path, "worker", "--lanes", "fast")
    assert result.returncode != 0 and "valid lanes" in (result.stderr + result.stdout)


def test_the_command_line_imports_only_what_the_command_needs() -> None:
    """`carinho serve --workers N` restarts children that start slowly: the CLI itself must not pull
    in the database layer, the apps or the broker (each command imports what it uses)."""
    heavy = ("sqlalchemy", "fastapi", "dramatiq", "alembic", "carinho.runtime")
    probe = f"import sys, carinho.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert shown.stdout.strip() == "[]"
