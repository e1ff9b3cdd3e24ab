"""deploy/supervisor/carinho.conf run for real by supervisord (PyPI `supervisor`), as README's
production block says: the env file `carinho secrets generate` prints (read through
deploy/carinho-env), PostgreSQL or MariaDB, Redis. Every program must reach RUNNING and stay
there, and a WhatsApp message must go through the hub into atendimento. Only the ports (free ones)
and the API processes' `--workers` (1: the CI machine is small) differ from the shipped file; the
sandbox runs as one more program, standing in for Z-API and the Carinho systems."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from carinho.production_env import SANDBOX_PORT, Target, production_env
from tests.support import services
from tests.support.processes import ROOT, carinho_env, free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.timeout(900)]

SHIPPED = ROOT / "deploy" / "supervisor" / "carinho.conf"
# One server database is enough here (a dozen processes start; both backends are covered by the
# other process tests): PostgreSQL, or MariaDB when only it is selected.
SERVER_BACKENDS = [b for b in ("postgresql", "mariadb") if b in services.selected_backends()][:1]


def _programs(conf: str) -> list[str]:
    return re.findall(r"^\[program:([\w-]+)\]", conf, flags=re.MULTILINE)


@pytest.fixture(params=SERVER_BACKENDS)
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    backend = request.param
    redis_url = services.redis_or_skip()
    names = {c: services.unique_name(f"sv_{c[:4]}") for c in ("integracoes", "atendimento")}
    urls = {c: services.create_database(backend, n, str(tmp_path)) for c, n in names.items()}
    ports = {"hub": free_port(), "atendimento": free_port(), "sandbox": free_port()}
    env_text = production_env(Target(sandbox=True, data_dir=str(tmp_path / "data")))
    env_text = (
        env_text.replace("127.0.0.1:8000", f"127.0.0.1:{ports['hub']}")
        .replace("127.0.0.1:8001", f"127.0.0.1:{ports['atendimento']}")
        .replace(f"127.0.0.1:{SANDBOX_PORT}", f"127.0.0.1:{ports['sandbox']}")
    )
    env_text = re.sub(
        r"^INTEGRACOES_DATABASE_URL=.*$",
        f"INTEGRACOES_DATABASE_URL={urls['integracoes']}",
        env_text,
        flags=re.M,
    )
    env_text = re.sub(
        r"^ATENDIMENTO_DATABASE_URL=.*$",
        f"ATENDIMENTO_DATABASE_URL={urls['atendimento']}",
        env_text,
        flags=re.M,
    )
    env_text = re.sub(r"^REDIS_URL=.*$", f"REDIS_URL={redis_url}", env_text, flags=re.M)
    env_text += (
        f"REDIS_NAMESPACE=sv{uuid.uuid4().hex[:8]}\nINTEGRACOES_PORT={ports['hub']}\n"
        f"ATENDIMENTO_PORT={ports['atendimento']}\nSANDBOX_PORT={ports['sandbox']}\n"
        "SANDBOX_SMTP_PORT=-1\nSANDBOX_CALLBACK_DELAY_SECONDS=0\nCARINHO_LOG_LEVEL=WARNING\n"
        "BRANDING_SIGNATURE=Equipe Carinho com Você (São Paulo)\n"  # a value the shell would choke on
    )
    env_file = tmp_path / "carinho.env"
    env_file.write_text(env_text)

    shipped = SHIPPED.read_text()
    wrapper = str(ROOT / "deploy" / "carinho-env")
    programs = (
        shipped.replace("/opt/carinho/bin/carinho-env", wrapper)
        .replace("--port 8000", f"--port {ports['hub']}")
        .replace("--port 8001", f"--port {ports['atendimento']}")
    )
    programs = re.sub(r"--workers \d+", "--workers 1", programs)
    programs += f"\n[program:sandbox]\ncommand={wrapper} carinho serve sandbox\nautorestart=true\n"
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        f"[unix_http_server]\nfile={tmp_path}/supervisor.sock\n\n"
        f"[supervisord]\nlogfile={tmp_path}/supervisord.log\npidfile={tmp_path}/supervisord.pid\n"
        f"childlogdir={tmp_path}\n\n"
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        f"[supervisorctl]\nserverurl=unix://{tmp_path}/supervisor.sock\n\n"
        f"{programs}"
    )
    env = carinho_env(carinho_env_file=env_file, carinho_venv=sys.prefix)
    for inherited in ("CARINHO_ENV", "CARINHO_DATA_DIR"):
        env.pop(inherited, None)  # the test suite's own; here the env file decides
    for command in (["migrate"], ["seed"]):
        done = subprocess.run(
            [wrapper, "carinho", *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    bin_dir = Path(sys.prefix) / "bin"
    daemon = subprocess.Popen([str(bin_dir / "supervisord"), "-n", "-c", str(conf)], env=env, cwd=tmp_path)
    ctl = [str(bin_dir / "supervisorctl"), "-c", str(conf)]
    try:
        yield {
            "hub": f"http://127.0.0.1:{ports['hub']}",
            "atendimento": f"http://127.0.0.1:{ports['atendimento']}",
            "sandbox": f"http://127.0.0.1:{ports['sandbox']}",
            "atendimento_db": urls["atendimento"],
            "log": str(tmp_path / "supervisord.log"),
            "ctl": " ".join(ctl),
            "programs": " ".join([*_programs(shipped), "sandbox"]),
        }
    finally:
        subprocess.run([*ctl, "shutdown"], capture_output=True, timeout=120, check=False)
        try:
            daemon.wait(timeout=120)
        except subprocess.TimeoutExpired:
            daemon.kill()
        for name in names.values():
            services.drop_database(backend, name)


def _status(ctl: str) -> dict[str, str]:
    out = subprocess.run([*ctl.split(), "status"], capture_output=True, text=True, timeout=60, check=False)
    states: dict[str, str] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            states[parts[0].split(":")[-1]] = parts[1]
    return states


async def test_every_program_runs_under_supervisord_and_a_message_reaches_atendimento(
    deployment: dict[str, str],
) -> None:
    expected = deployment["programs"].split()
    ctl = deployment["ctl"]

    async def all_running() -> bool:
        states = _status(ctl)
        named = {
            name.rsplit("_", 1)[0] if name.startswith("worker-high_") else name: s
            for name, s in states.items()
        }
        return all(named.get(p) == "RUNNING" for p in expected)

    async def serving() -> bool:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                for app in ("hub", "atendimento", "sandbox"):
                    if (await client.get(f"{deployment[app]}/health")).status_code != 200:
                        return False
        except httpx.HTTPError:
            return False
        return True

    await wait_until(all_running, timeout=300, what="every program RUNNING", log=Path(deployment["log"]))
    await wait_until(serving, timeout=300, what="both APIs and the sandbox answering")

    async with httpx.AsyncClient(timeout=30) as client:
        sent = await client.post(
            f"{deployment['sandbox']}/_sandbox/zapi/phone/messages",
            json={
                "phone": "5511987650001",
                "sender_name": "Rosa Lima",
                "text": "Oi, preciso de uma cuidadora",
            },
        )
    assert sent.status_code == 200 and sent.json()["status"] == 202, sent.text

    engine = create_async_engine(deployment["atendimento_db"])

    async def conversation_opened() -> bool:
        async with engine.connect() as conn:
            return bool((await conn.execute(text("SELECT COUNT(*) FROM conversations"))).scalar())

    try:
        await wait_until(conversation_opened, timeout=180, what="the conversation in atendimento")
    finally:
        await engine.dispose()
    assert await all_running(), _status(ctl)  # nobody died on the way
