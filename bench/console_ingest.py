"""What an open console costs the ingest (issue 16): bench/run_ingest.py's saturation run against the
durable hub, alternately without and with consoles open in the same run — each console a client
logged in through `/entrar` that keeps the overview open as the page does: its live stream
(server-sent events) and a refresh of the fragment on each change, at most every 5 s. Bounded:
fixed durations, 127.0.0.1 only, a temporary data dir."""

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

# overview_body.html: hx-trigger="carinho-live from:body throttle:5s, every 15s"
THROTTLE_SECONDS = 5.0
FALLBACK_SECONDS = 15.0
LIVE_URL = "/painel/ao-vivo"
PAGE = {"accept": "text/html"}
PER_RUN = 100_000  # request lines each saturation run may use (~8,000 req/s at most here)


class Console(threading.Thread):
    """One operator's open overview, as the page behaves: while `on`, the live stream
    (`/painel/ao-vivo`, server-sent events) is open, and each `change` refreshes the fragment —
    at most once per THROTTLE_SECONDS (htmx's `throttle:5s`: a change during the wait is dropped),
    and every FALLBACK_SECONDS regardless. Under saturation the hub's state moves every second, so
    this is a refresh every ~5 s plus the stream's fingerprint every second."""

    def __init__(self, port: int, email: str, password: str, on: threading.Event, stop: threading.Event):
        super().__init__(daemon=True)
        self.base = f"http://{HOST}:{port}"
        self.email, self.password = email, password
        self.on, self.stop = on, stop
        self.timings: list[float] = []
        self.changes = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30.0) as client:
            answer = client.post("/entrar", data={"email": self.email, "password": self.password})
            if answer.status_code != 303:
                raise RuntimeError(f"console login failed: {answer.status_code}")
            client.get("/painel", headers=PAGE).raise_for_status()
            while not self.stop.is_set():
                if self.on.wait(0.2):
                    self._watch(client)

    def _watch(self, client: httpx.Client) -> None:
        """The page open for one 'with' run: the stream until `on` is cleared."""
        changed = threading.Event()
        reader = threading.Thread(target=self._read_stream, args=(client, changed), daemon=True)
        reader.start()
        last = 0.0
        while self.on.is_set() and not self.stop.is_set():
            now = time.perf_counter()
            due = (
                last == 0.0
                or now - last >= FALLBACK_SECONDS
                or (changed.is_set() and now - last >= THROTTLE_SECONDS)
            )
            if due:
                changed.clear()
                started = time.perf_counter()
                client.get("/painel/atualizar", headers=PAGE | {"hx-request": "true"}).raise_for_status()
                self.timings.append((time.perf_counter() - started) * 1000)
                last = started
            changed.wait(0.05)
        reader.join(timeout=5)

    def _read_stream(self, client: httpx.Client, changed: threading.Event) -> None:
        # Under saturation a change comes every second; without changes the read times out and the
        # stream is opened again while the page is still open.
        timeout = httpx.Timeout(30.0, read=3.0)
        try:
            with client.stream(
                "GET", LIVE_URL, headers={"accept": "text/event-stream"}, timeout=timeout
            ) as stream:
                for line in stream.iter_lines():
                    if line == "event: change":
                        self.changes += 1
                        changed.set()
                    if not self.on.is_set() or self.stop.is_set():
                        return
        except httpx.ReadTimeout:
            if self.on.is_set() and not self.stop.is_set():
                self._read_stream(client, changed)


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
        changes = sum(thread.changes for thread in threads)
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
            "live_changes": changes,
            "events_stored": count_events(data_dir),
        }
