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
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

from carinho.config import Settings
from carinho.kit.phones import normalize_br_phone

T = TypeVar("T")

READY_LINE = "Press Ctrl-C to stop."
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
_CREDENTIAL_LINES = {
    name: re.compile(rf"^\s*{re.escape(label)}:\s+(\S+)\s*$", re.MULTILINE)
    for name, label in {
        "api_key": "Hub API key (X-API-Key)",
        "email": "atendimento admin login",
        "password": "atendimento admin senha",
        "console_email": "hub console admin login",
        "console_password": "hub console admin senha",
    }.items()
}
_PORT_IN_USE = ("address already in use", "errno 98", "only one usage of each socket address")


class PlatformError(RuntimeError):
    """The platform did not start, stopped on its own, or refused a helper's request."""


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice). Test suites that start many processes
    may pass their own picker (e.g. one block of ports per pytest-xdist worker)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    integracoes: int
    atendimento: int
    sandbox: int
    sandbox_smtp: int

    @classmethod
    def pick(cls, picker: Callable[[], int] = free_port) -> Ports:
        chosen: list[int] = []
        while len(chosen) < 4:
            port = picker()
            if port not in chosen:
                chosen.append(port)
        return cls(*chosen)

    def env(self) -> dict[str, str]:
        return {
            "INTEGRACOES_PORT": str(self.integracoes),
            "ATENDIMENTO_PORT": str(self.atendimento),
            "SANDBOX_PORT": str(self.sandbox),
            "SANDBOX_SMTP_PORT": str(self.sandbox_smtp),
        }


@dataclass(frozen=True)
class Account:
    """A person's login: atendimento's administrator or an agent created through the API, or the
    hub console's first operator."""

    email: str
    password: str
    name: str = ""
    id: int | None = None
    role: str = "agent"
    level: str = "N1"


@dataclass(frozen=True)
class FirstStart:
    """What `carinho up` prints once, on the first start of a data dir."""

    api_key: str | None = None
    admin: Account | None = None  # atendimento's first administrator
    console_admin: Account | None = None  # the hub console's first operator (admin)


def parse_credentials(output: str) -> FirstStart:
    """The hub API key and the first logins from the lines `carinho up` prints on its first start."""
    found = {name: pattern.search(output) for name, pattern in _CREDENTIAL_LINES.items()}

    def value(name: str) -> str | None:
        match = found[name]
        return match.group(1) if match else None

    def account(email: str, password: str, level: str) -> Account | None:
        e, p = value(email), value(password)
        return Account(email=e, password=p, role="admin", level=level) if e and p else None

    return FirstStart(
        api_key=value("api_key"),
        admin=account("email", "password", level="N3"),
        console_admin=account("console_email", "console_password", level=""),
    )


def eventually(check: Callable[[], T | None], *, timeout: float = 10.0, what: str = "the condition") -> T:
    """Call `check` until it returns something truthy (or stops raising AssertionError); that value.
    For the platform's side of a test (the phone got the reply); the page's side uses Playwright's
    auto-waiting `expect`."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = check()
            if value:
                return value
            last = None
        except AssertionError as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}") from last
        time.sleep(0.1)


def business_morning(after: datetime | None = None) -> datetime:
    """The next Tuesday at 10:00 in São Paulo that is not a holiday there (UTC): a moment inside
    business hours, whatever the real date when the tests run — so that out-of-hours replies and SLA
    clocks behave the same on every run."""
    import holidays

    day = (after or datetime.now(UTC)).astimezone(SAO_PAULO).date() + timedelta(days=1)
    calendar = holidays.country_holidays("BR", subdiv="SP")
    while day.weekday() != 1 or day in calendar:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=SAO_PAULO).astimezone(UTC)


def _clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without any platform setting (a developer's database URL or real
    Z-API token must not leak into the embedded default), then `extra`."""
    settings_names = {name.upper() for name in Settings.model_fields}
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in settings_names and not key.startswith(("PYTEST_", "COV_"))
    }
    env.update(extra)
    return env


class Platform:
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
                if attempt == 2 or self._fixed_ports is not None or not _port_clash(self.log_text()):
                    raise
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self.ports = Ports.pick(self._port_picker)
                del exc
        if self._clock_at is not None:
            self.set_clock(self._clock_at)
        return self

    def _start_once(self) -> None:
        env = _clean_environment(
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
            _check(answer, "login")
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
        digits = _phone(phone)

        def found() -> dict[str, Any] | None:
            for conversation in self.conversations(contact=digits, limit=5):
                if conversation["contact"]["phone"] == digits:
                    return conversation
            return None

        return eventually(found, timeout=timeout, what=f"a conversation of {digits} in atendimento")

    def _check(self, answer: httpx.Response, what: str) -> None:
        """`_check`, plus the server's traceback for a 500 (found in the log by its request id)."""
        if answer.status_code >= 500:
            request_id = answer.headers.get("x-request-id") or _json_field(answer, "request_id")
            trace = self.server_error(request_id) if request_id else None
            if trace:
                raise PlatformError(f"{what}: HTTP {answer.status_code}\n{trace}")
        _check(answer, what)

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

    # ------------------------------------------------------------------ the sandbox

    def phone_sends(
        self,
        phone: str,
        text: str | None = None,
        *,
        sender_name: str = "Cliente",
        media: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The customer's phone sends a WhatsApp message — text, or `media` ("image", "document",
        "audio") with an optional caption; the simulated Z-API posts its callback to the hub."""
        body: dict[str, Any] = {"phone": phone, "sender_name": sender_name, "text": text}
        if media:
            body.update(media=media, caption=caption)
        answer = self._http.post(f"{self.sandbox_url}/_sandbox/zapi/phone/messages", json=body)
        _check(answer, "the sandbox phone")
        result: dict[str, Any] = answer.json()
        return result

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
        digits = _phone(phone)
        matches = [c for c in self.conversations(contact=digits, limit=5) if c["contact"]["phone"] == digits]
        if not matches:
            return 0
        messages = self.api("GET", f"/api/conversations/{matches[0]['id']}/messages")
        return sum(1 for m in messages if m["direction"] == "inbound")

    def phone_received(self, phone: str) -> list[dict[str, Any]]:
        """Every message the platform sent to this phone through the simulated Z-API, oldest first
        (each with `body`, `status`: PENDING/SENT/RECEIVED/READ/FAILED...)."""
        answer = self._http.get(f"{self.sandbox_url}/_sandbox/zapi/messages", params={"phone": _phone(phone)})
        _check(answer, "the sandbox's sent messages")
        result: list[dict[str, Any]] = answer.json()
        return result

    def faults(self, system: str, **settings: Any) -> dict[str, Any]:
        """Set the faults a simulated system injects next (`fail_next=3, fail_status=503`, `down=True`,
        `fail_next=0` to stop failing; see `carinho.sandbox.faults.FaultSettings`)."""
        answer = self._http.put(f"{self.sandbox_url}/_sandbox/{system}/faults", json=settings)
        _check(answer, f"the sandbox's {system} faults")
        result: dict[str, Any] = answer.json()
        return result

    def clock_now(self) -> datetime:
        answer = self._http.get(f"{self.sandbox_url}/_sandbox/clock")
        _check(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])

    def set_clock(self, instant: datetime) -> datetime:
        return self._move({"now": instant.astimezone(UTC).isoformat()})

    def move_clock(self, *, minutes: float) -> datetime:
        """Shift the platform's clock (business hours, SLA, delayed jobs, session expiry)."""
        return self._move({"advance_minutes": minutes})

    def reset_clock(self) -> datetime:
        answer = self._http.delete(f"{self.sandbox_url}/_sandbox/clock")
        _check(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])

    def _move(self, body: dict[str, Any]) -> datetime:
        answer = self._http.put(f"{self.sandbox_url}/_sandbox/clock", json=body)
        _check(answer, "the sandbox clock")
        return datetime.fromisoformat(answer.json()["now"])


def _phone(phone: str) -> str:
    digits = normalize_br_phone(phone)
    if digits is None:
        raise ValueError(f"not a phone number: {phone!r}")
    return digits


def _port_clash(log: str) -> bool:
    lowered = log.lower()
    return any(marker in lowered for marker in _PORT_IN_USE)


def _json_field(answer: httpx.Response, name: str) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        value = answer.json().get(name)
        return str(value) if value else None
    return None


def _check(answer: httpx.Response, what: str) -> None:
    if answer.status_code >= 400:
        raise PlatformError(f"{what}: HTTP {answer.status_code}: {answer.text[:500]}")
