"""The whole platform as a user starts it — `carinho up` in a subprocess — for browser tests, the
screenshot script and demos.

    with Platform(tmp_path / "data") as platform:          # free ports, fresh data dir
        platform.admin.email, platform.admin.password      # printed by the first start
        ana = platform.create_agent("Ana Lima", "ana@carinho.com.vc", level="N1")
        platform.phone_sends("11987654321", "Olá!", sender_name="Dona Rosa")
        conversation = platform.conversation_of("11987654321")
        platform.move_clock(minutes=780)

Everything goes through what a user has: the process's output, the JSON APIs and the sandbox's
`/_sandbox/...` endpoints. Nothing here imports the apps' internals.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from carinho.kit.ui.testing.sandbox_controls import SandboxControls
from carinho.kit.ui.testing.startup import (
    READY_LINE,
    Account,
    FirstStart,
    PlatformError,
    Ports,
    check_answer,
    clean_environment,
    eventually,
    free_port,
    json_field,
    parse_credentials,
    phone_digits,
    port_clash,
)


class Platform(SandboxControls):
    """`carinho up` on its own ports and data directory. Start with `start()` or `with`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        ports: Ports | None = None,
        port_picker: Callable[[], int] = free_port,
        env: Mapping[str, str] | None = None,
        clock_at: datetime | None = None,
        start_timeout: float = 120.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-carinho-up.log"
        self._fixed_ports = ports
        self._port_picker = port_picker
        self.ports = ports or Ports.pick(port_picker)
        self._env = dict(env or {})
        self._clock_at = clock_at
        self._start_timeout = start_timeout
        self.host = host
        self.process: subprocess.Popen[bytes] | None = None
        self.api_key: str | None = None
        self.first_start = FirstStart()
        self._tokens: dict[str, str] = {}
        self._http = httpx.Client(timeout=30.0)

    # ------------------------------------------------------------------ urls and credentials

    @property
    def hub_url(self) -> str:
        return f"http://{self.host}:{self.ports.integracoes}"

    @property
    def atendimento_url(self) -> str:
        return f"http://{self.host}:{self.ports.atendimento}"

    @property
    def sandbox_url(self) -> str:
        return f"http://{self.host}:{self.ports.sandbox}"

    @property
    def admin(self) -> Account:
        """atendimento's first administrator (printed on the first start)."""
        return self._printed(self.first_start.admin, "atendimento administrator")

    @property
    def console_admin(self) -> Account:
        """The hub console's first operator, an admin (printed on the first start)."""
        return self._printed(self.first_start.console_admin, "hub console administrator")

    @staticmethod
    def _printed(account: Account | None, what: str) -> Account:
        if account is None:
            raise PlatformError(
                f"no {what} login: `carinho up` prints it only on the first start of a data dir"
            )
        return account

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Platform:
        """Start on a fresh data directory and wait until every server answers. If a port was taken
        in the meantime (another process bound it first), start again on other ports."""
        for attempt in range(3):
            if self.data_dir.exists() and any(self.data_dir.iterdir()):
                raise PlatformError(f"{self.data_dir} is not empty: the platform starts on a fresh data dir")
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                self._start_once()
                break
            except PlatformError as exc:
                if attempt == 2 or self._fixed_ports is not None or not port_clash(self.log_text()):
                    raise
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self.ports = Ports.pick(self._port_picker)
                del exc
        if self._clock_at is not None:
            self.set_clock(self._clock_at)
        return self

    def _start_once(self) -> None:
        env = clean_environment(
            {
                **self.ports.env(),
                "CARINHO_DATA_DIR": str(self.data_dir.resolve()),
                "CARINHO_ENV": "development",
                "BIND_HOST": self.host,
                **self._env,
            }
        )
        self.log_path.write_bytes(b"")
        with self.log_path.open("ab") as log:
            # cwd: the data dir, so that a developer's `.env` in the repository is not read either.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "carinho", "up"],
                cwd=self.data_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        atexit.register(self._kill_if_running)
        deadline = time.monotonic() + self._start_timeout
        while READY_LINE not in self.log_text():
            if self.process.poll() is not None:
                raise PlatformError(f"`carinho up` exited with {self.process.returncode}\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self._kill_if_running()
                raise PlatformError(
                    f"`carinho up` not ready after {self._start_timeout:g}s\n{self.log_tail()}"
                )
            time.sleep(0.1)
        self.first_start = parse_credentials(self.log_text())
        self.api_key = self.first_start.api_key
        for url in (
            f"{self.atendimento_url}/entrar",
            f"{self.sandbox_url}/_sandbox/clock",
            f"{self.hub_url}/health",
        ):
            self._wait_answers(url)

    def _wait_answers(self, url: str) -> None:
        def answers() -> bool:
            try:
                return self._http.get(url).status_code < 500
            except httpx.TransportError:
                return False

        eventually(answers, timeout=30, what=f"{url} to answer")

    def stop(self, timeout: float = 30.0) -> int | None:
        """Stop as Ctrl-C does (jobs in flight finish); killed if it has not stopped after `timeout`."""
        process, self.process = self.process, None
        self._http.close()
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def _kill_if_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    # ------------------------------------------------------------------ atendimento's JSON API

    def token(self, account: Account) -> str:
        """A bearer token for `account` (logged in once, again when it was revoked or expired)."""
        if account.email not in self._tokens:
            answer = self._http.post(
                f"{self.atendimento_url}/api/auth/login",
                json={"email": account.email, "password": account.password},
            )
            check_answer(answer, "login")
            self._tokens[account.email] = answer.json()["access_token"]
        return self._tokens[account.email]

    def api(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        as_: Account | None = None,
    ) -> Any:
        """Call atendimento's JSON API as `as_` (default: the administrator); the decoded answer."""
        account = as_ or self.admin
        for attempt in (1, 2):
            answer = self._http.request(
                method,
                f"{self.atendimento_url}{path}",
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {self.token(account)}"},
            )
            if answer.status_code == 401 and attempt == 1:  # logged out in a browser, or the clock moved
                self._tokens.pop(account.email, None)
                continue
            self._check(answer, f"{method} {path}")
            return answer.json() if answer.content else None
        raise AssertionError("unreachable")

    def hub_api(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Call the hub's JSON API with the API key the first start printed."""
        if not self.api_key:
            raise PlatformError("no hub API key: `carinho up` prints it only on the first start")
        answer = self._http.request(
            method, f"{self.hub_url}{path}", json=json, params=params, headers={"X-API-Key": self.api_key}
        )
        self._check(answer, f"{method} {path}")
        return answer.json() if answer.content else None

    def create_agent(
        self,
        name: str,
        email: str,
        *,
        level: str = "N1",
        role: str = "agent",
        capacity: int = 200,
        available: bool = True,
    ) -> Account:
        """A new attendant (through `POST /api/agents`, as the administrator) and its initial password."""
        created = self.api(
            "POST",
            "/api/agents",
            json={"name": name, "email": email, "level": level, "role": role, "capacity": capacity},
        )
        agent = created["agent"]
        if not available:
            self.api("PATCH", f"/api/agents/{agent['id']}", json={"available": False})
        return Account(
            email=agent["email"],
            password=created["initial_password"],
            name=agent["name"],
            id=agent["id"],
            role=agent["role"],
            level=agent["level"],
        )

    def conversations(self, *, as_: Account | None = None, **params: Any) -> list[dict[str, Any]]:
        """`GET /api/conversations` with its filters (status, contact, text, ...)."""
        result: list[dict[str, Any]] = self.api("GET", "/api/conversations", params=params, as_=as_)
        return result

    def conversation_of(self, phone: str, *, timeout: float = 15.0) -> dict[str, Any]:
        """The newest conversation of the contact with this phone, once atendimento has it (a message
        from the sandbox phone goes through the hub first)."""
        digits = phone_digits(phone)

        def found() -> dict[str, Any] | None:
            for conversation in self.conversations(contact=digits, limit=5):
                if conversation["contact"]["phone"] == digits:
                    return conversation
            return None

        return eventually(found, timeout=timeout, what=f"a conversation of {digits} in atendimento")

    def _check(self, answer: httpx.Response, what: str) -> None:
        """`check_answer`, plus the server's traceback for a 500 (found in the log by its request id)."""
        if answer.status_code >= 500:
            request_id = answer.headers.get("x-request-id") or json_field(answer, "request_id")
            trace = self.server_error(request_id) if request_id else None
            if trace:
                raise PlatformError(f"{what}: HTTP {answer.status_code}\n{trace}")
        check_answer(answer, what)

    def server_error(self, request_id: str) -> str | None:
        """The end of the traceback `carinho up` logged for this request, if any."""
        for record in self._records():
            if record.get("request_id") == request_id and record.get("exception"):
                return str(record["exception"])[-2000:]
        return None

    def log_position(self) -> int:
        """Where the log ends now: pass it to `unhandled_errors` to see what a test caused."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def unhandled_errors(self, since: int = 0) -> list[str]:
        """The requests that ended in a 500 (an unhandled exception) after `since`, each as
        "METHOD path: last lines of the traceback"."""
        found = []
        for record in self._records(since):
            if record.get("event") == "request.unhandled_error":
                trace = str(record.get("exception") or record.get("error") or "")
                tail = "\n".join(trace.strip().splitlines()[-6:])
                found.append(f"{record.get('method', '')} {record.get('path', '?')}:\n{tail}".strip())
        return found

    def _records(self, since: int = 0) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        with self.log_path.open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace").splitlines()
        records = []
        for line in lines:
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    records.append(json.loads(line))
        return records

    def phone_sends_and_waits(
        self,
        phone: str,
        text: str | None = None,
        *,
        sender_name: str = "Cliente",
        media: str | None = None,
        caption: str | None = None,
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """`phone_sends`, then wait until atendimento has stored the message (the hub forwards it in
        the background, so messages sent back to back may otherwise arrive in another order); the
        conversation."""
        before = self._inbound_count(phone)
        self.phone_sends(phone, text, sender_name=sender_name, media=media, caption=caption)
        eventually(
            lambda: self._inbound_count(phone) > before,
            timeout=timeout,
            what=f"the message from {phone} in atendimento",
        )
        return self.conversation_of(phone)

    def _inbound_count(self, phone: str) -> int:
        digits = phone_digits(phone)
        matches = [c for c in self.conversations(contact=digits, limit=5) if c["contact"]["phone"] == digits]
        if not matches:
            return 0
        messages = self.api("GET", f"/api/conversations/{matches[0]['id']}/messages")
        return sum(1 for m in messages if m["direction"] == "inbound")
