"""The deploy files as shipped: the env wrapper reads .env.example's own format, the systemd units
pass `systemd-analyze verify` with their documented instances, and docker-compose starts things in
order (databases healthy → migrate → seed → the rest) with commands the CLI accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from carinho.worker.lanes import parse_lanes
from tests.support.processes import ROOT, carinho_env

DEPLOY = ROOT / "deploy"


def test_carinho_env_reads_the_env_file_as_dotenv_not_as_shell(tmp_path: Path) -> None:
    env_file = tmp_path / "carinho.env"
    example = (ROOT / ".env.example").read_text()
    env_file.write_text(example + "BRANDING_SIGNATURE=Equipe Carinho (São Paulo) & cia; $HOME `id`\n")
    env = carinho_env(carinho_env_file=env_file, carinho_venv=sys.prefix)
    env.pop("CARINHO_ENV", None)
    shown = subprocess.run(
        [
            str(DEPLOY / "carinho-env"),
            "python",
            "-c",
            "from carinho.config import get_settings; print(get_settings().branding_signature)",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "Equipe Carinho (São Paulo) & cia; $HOME `id`"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_units_verify_with_their_documented_instances(tmp_path: Path) -> None:
    for unit in (DEPLOY / "systemd").glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/carinho/.venv", sys.prefix))
    instances = [
        "carinho-api@integracoes.service",
        "carinho-api@atendimento.service",
        "carinho-scheduler.service",
    ]
    for env_file in sorted((DEPLOY / "systemd").glob("worker-*.env")):
        name = env_file.stem.removeprefix("worker-")
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
        assert parse_lanes(values["LANES"]) and int(values["PROCESSES"]) >= 1
        instances.append(f"carinho-worker@{name}.service")
    for instance in instances:
        template = instance.split("@")[0] + "@.service" if "@" in instance else instance
        if instance != template:
            (tmp_path / instance).symlink_to(tmp_path / template)
    verified = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / i) for i in instances)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr


def test_compose_starts_in_order_and_every_command_is_one_the_cli_accepts() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["seed"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    apps = [n for n, s in services.items() if "build" in s and n not in ("migrate", "seed")]
    assert {"integracoes", "atendimento", "scheduler"} <= set(apps)
    for name in apps:
        service = services[name]
        assert service["depends_on"]["seed"] == {"condition": "service_completed_successfully"}, name
        assert service["environment"]["CARINHO_ENV"] == "production"
        command = service["command"]
        assert command[0] == "carinho" and command[1] in ("serve", "worker", "scheduler"), name
        if command[1] == "worker":
            assert parse_lanes(command[command.index("--lanes") + 1])
        if command[1] == "serve":
            assert service["healthcheck"]["test"], name
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "USER carinho" in dockerfile and "install -d -o carinho" in dockerfile
