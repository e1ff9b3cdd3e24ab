"""`carinho worker --processes N` heals (issue 19, item 3): kill -9 of its children brings new ones,
which consume the lanes (a signed site webhook is processed end to end by `carinho serve` + the
workers); children that keep dying make the parent exit non-zero for its service manager; SIGTERM
stops everything cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit import migrations
from carinho.kit.signatures import hmac_hex
from carinho.worker.supervisor import EXIT_CHILDREN_FAILING, ChildSupervisor
from tests.support.processes import carinho_env, children_of, free_port, running, stop, wait_until

pytestmark = pytest.mark.slow

SITE_SECRET = "whsec_c2l0ZS1oZWFsLXRlc3Qtc2VjcmV0LTI0Ynl0ZQ=="
JOB_MODULES = "tests.e2e.kill_flow"  # lead.created runs only the (here empty) delivery step


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"


@pytest.mark.redis
async def test_killed_children_are_replaced_and_consume_the_lanes(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    port = free_port()
    values: dict[str, object] = {
        "carinho_data_dir": tmp_path,
        "redis_url": redis_url,
        "redis_namespace": redis_namespace,
        "session_secret": "heal-test",
        "zapi_webhook_secret": "heal-test",
        "webhook_secret_site": SITE_SECRET,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    env = carinho_env(carinho_env="test", carinho_job_modules=JOB_MODULES, **values)
    logs = {name: tmp_path / f"{name}.log" for name in ("api", "worker")}
    worker_args = ["worker", "--processes", "2", "--lanes", "integrations-high,integrations"]
    rt = runtime.configure(settings)

    with (
        running(worker_args, env, logs["worker"]) as parent,
        running(["serve", "integracoes", "--port", str(port)], env, logs["api"]),
    ):

        async def two_children() -> bool:
            return len(children_of(parent.pid)) == 2

        await wait_until(two_children, timeout=60, what="two worker children", log=logs["worker"])
        first = children_of(parent.pid)
        for pid in first:
            os.kill(pid, signal.SIGKILL)

        async def replaced() -> bool:
            current = children_of(parent.pid)
            return len(current) == 2 and not current & first

        await wait_until(replaced, timeout=60, what="new children", log=logs["worker"])
        assert not any(_alive(pid) for pid in first)  # reaped, not zombies
        assert parent.poll() is None
        assert "worker.child_died" in logs["worker"].read_text()

        event_id = await _post_lead(f"http://127.0.0.1:{port}", logs["api"])

        async def processed() -> bool:
            async with rt.db("integracoes").session() as session:
                status = await session.scalar(
                    select(IntegrationEvent.status).where(IntegrationEvent.id == event_id)
                )
            return status == "processed"

        await wait_until(processed, timeout=90, what="the webhook to be processed", log=logs["worker"])
        children = children_of(parent.pid)
        assert stop(parent) == 0  # SIGTERM: children stopped, parent exits cleanly
        assert not any(_alive(pid) for pid in children)
    for db in rt.databases.values():
        await db.dispose()


async def _post_lead(base_url: str, log: Path) -> int:
    lead = {"lead_id": 7, "name": "Lead Sete", "phone": "(11) 91234-5678", "city": "São Paulo"}
    body = json.dumps(lead).encode()
    headers = {"Content-Type": "application/json", "Signature": hmac_hex(SITE_SECRET, body)}
    answer: dict[str, int] = {}

    async def accepted() -> bool:
        try:
            async with httpx.AsyncClient(base_url=base_url) as client:
                response = await client.post("/webhooks/site/lead", content=body, headers=headers)
        except httpx.HTTPError:
            return False
        assert response.status_code in (200, 202, 503), response.text
        if response.status_code == 503:
            return False
        answer["event_id"] = int(response.json()["event_id"])
        return True

    await wait_until(accepted, timeout=180, what="the API to accept the webhook", log=log)
    return answer["event_id"]


def test_children_that_keep_dying_make_the_parent_exit_non_zero() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def start_child(_slot: int) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"]))
        return started[-1]

    supervisor = ChildSupervisor(2, start_child, max_deaths=5, window_seconds=60, backoff_seconds=0.01)
    assert supervisor.run() == EXIT_CHILDREN_FAILING
    assert len(started) >= 5
    assert all(process.poll() is not None for process in started)
