"""What an open console costs the ingest (issue 16): bench/run_ingest.py's saturation run against the
durable hub, alternately without and with consoles open in the same run — each console a client
logged in through `/entrar` that loads `/painel` and then asks for `/painel/atualizar` every 5 s,
as the page's htmx does. Bounded: fixed durations, 127.0.0.1 only, a temporary data dir."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.run_ingest import HOST, ROOT, SECRET, count_events, start_hub, wait_ready, wrk

REFRESH_SECONDS = 5.0  # overview_body.html: hx-trigger="every 5s"
PER_RUN = 100_000  # request lines each saturation run may use (~8,000 req/s at most here)


class Console(threading.Thread):
    """One operator's open overview: the page, then its fragment every REFRESH_SECONDS while `on`."""

    def __init__(self, port: int, email: str, password: str, on: threading.Event, stop: threading.Event):
        super().__init__(daemon=True)
        self.base = f"http://{HOST}:{port}"
        self.email, self.password = email, password
        self.on, self.stop = on, stop
        self.timings: list[float] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30.0) as client:
            answer = client.post("/entrar", data={"email": self.email, "password": self.password})
            if answer.status_code != 303:
                raise RuntimeError(f"console login failed: {answer.status_code}")
            page = {"accept": "text/html"}
            client.get("/painel", headers=page).raise_for_status()
            while not self.stop.is_set():
                if not self.on.wait(0.2):
                    continue
                started = time.perf_counter()
                client.get("/painel/atualizar", headers=page | {"hx-request": "true"}).raise_for_status()
                self.timings.append((time.perf_counter() - started) * 1000)
                self.stop.wait(REFRESH_SECONDS)


def create_operator(env: dict[str, str], email: str) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "carinho",
            "operators",
            "create",
            "Operadora Bench",
            email,
            "--role",
            "viewer",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]  # the initial password is the last line


def measure_ingest(seconds: int, pairs: int, consoles: int, port: int = 18710) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="carinho-console-ingest-") as tmp:
        data_dir = Path(tmp)
        requests_file = data_dir / "requests.txt"
        total = PER_RUN * (2 * pairs + 1)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "requests_gen.py"), str(requests_file), SECRET, str(total)],
            check=True,
        )
        env = os.environ | {
            "CARINHO_DATA_DIR": str(data_dir),
            "CARINHO_ENV": "development",
            "WEBHOOK_SECRET_SITE": SECRET,
            "SANDBOX_ENABLED": "false",
            "REDIS_URL": "",
            "INTEGRACOES_DATABASE_URL": "",
            "SESSION_SECRET": "bench-console-ingest-session-secret",  # the console's login cookie
        }
        hub = start_hub(env, port)  # migrates first, so the operator can be created next
        on, stop = threading.Event(), threading.Event()
        try:
            wait_ready(port, "/health")
            emails = [f"console{n}@carinho.bench" for n in range(consoles)]
            threads = [Console(port, e, create_operator(env, e), on, stop) for e in emails]
            for thread in threads:
                thread.start()
            wrk(port, requests_file, 3, 64, offset=PER_RUN * 2 * pairs)  # warm-up, keys never reused
            runs: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
            offset = 0
            for _ in range(pairs):
                for name in ("without", "with"):
                    if name == "with":
                        on.set()
                        time.sleep(0.5)  # the consoles' first refresh starts with the run
                    runs[name].append(wrk(port, requests_file, seconds, 64, offset=offset))
                    on.clear()
                    offset += PER_RUN
        finally:
            stop.set()
            hub.terminate()
            hub.wait(timeout=30)
        refresh = [t for thread in threads for t in thread.timings]
        without = sum(r["requests"] for r in runs["without"])
        with_ = sum(r["requests"] for r in runs["with"])
        return {
            "seconds": seconds,
            "consoles": consoles,
            **runs,
            "without_rps": round(statistics.mean(r["rps"] for r in runs["without"]), 1),
            "with_rps": round(statistics.mean(r["rps"] for r in runs["with"]), 1),
            "ratio": round(with_ / without, 4),
            "refresh_ms": [round(t, 1) for t in refresh],
            "refresh_p50_ms": round(statistics.median(refresh), 1) if refresh else None,
            "events_stored": count_events(data_dir),
        }
