"""What starting the platform involves apart from the process itself: free ports, the credentials
the first start prints, waiting for a condition, a business morning in São Paulo, and checking the
answers of its HTTP endpoints. Used by `platform.Platform` and the tests that drive it."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
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


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
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


def phone_digits(phone: str) -> str:
    digits = normalize_br_phone(phone)
    if digits is None:
        raise ValueError(f"not a phone number: {phone!r}")
    return digits


def port_clash(log: str) -> bool:
    lowered = log.lower()
    return any(marker in lowered for marker in _PORT_IN_USE)


def json_field(answer: httpx.Response, name: str) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        value = answer.json().get(name)
        return str(value) if value else None
    return None


def check_answer(answer: httpx.Response, what: str) -> None:
    if answer.status_code >= 400:
        raise PlatformError(f"{what}: HTTP {answer.status_code}: {answer.text[:500]}")
