"""No secret and no sample personal data in any log line the test suite writes (issue 15, item 7).

A pytest plugin (loaded by tests/conftest.py). At start it routes structlog and the standard library
(uvicorn, httpx, SQLAlchemy, ...) through the production formatter (`carinho.logging.log_formatter`:
masked JSON) into one handler, at the production default level (INFO). Every rendered line is checked
for:

- every configured secret of the test settings (tests/conftest.py) and of the Runtime configured at the
  moment (the sandbox's generated Z-API token and API keys included), as `Settings.log_secrets` lists
  them, and also percent-encoded;
- the sample phones, e-mails and CPFs the tests' fixtures use (`SAMPLE_PERSONAL_DATA`) and every
  e-mail of the `@carinho.test` agents.

A test during which a leaking line was written fails at teardown, with the lines. Lines written between
tests (session fixtures, background threads) fail the session. Out of reach: processes the tests spawn
(`tests/worker/test_crash_recovery.py`, `carinho up` in the e2e/browser tests) write to their own
stderr; DEBUG lines are not rendered (production logs at INFO).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest

from carinho.logging import configure_logging, log_formatter
from tests.support.sample_data import SAMPLE_PERSONAL_DATA, TEST_SECRETS

_AGENT_EMAIL = re.compile(r"[\w.+-]+@carinho\.test\b")
# Credentials by shape, whoever's settings they come from (the sandbox's own Z-API token, say).
_CREDENTIAL_IN_URL = re.compile(
    r"/token/(?!\*\*\*)[^/?#\s\"]+|[?&](?:token|api_key|secret|password)=(?!\*\*\*)[^&#\s\"]+"
)
MIN_LENGTH = 6  # as carinho.kit.masking.MIN_SECRET_LENGTH: shorter values are not secrets


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value)}


class LeakGuard(logging.Handler):
    """Renders every record as production does and remembers the lines that leak."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(log_formatter())
        self._lock = threading.Lock()
        self._static: set[str] = set()
        for value in (*TEST_SECRETS.values(), *SAMPLE_PERSONAL_DATA):
            self._static |= _forms(value)
        self._runtime_key: tuple[str, ...] = ()
        self._runtime_forms: set[str] = set()
        self.leaks: list[str] = []

    def _forbidden(self) -> set[str]:
        from carinho import runtime

        secrets: tuple[str, ...] = ()
        if runtime.is_configured():
            secrets = tuple(runtime.current().settings.log_secrets())
        if secrets != self._runtime_key:
            forms: set[str] = set()
            for value in secrets:
                if len(value) >= MIN_LENGTH:
                    forms |= _forms(value)
            self._runtime_key, self._runtime_forms = secrets, forms
        return self._static | self._runtime_forms

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            found = sorted(value for value in self._forbidden() if value in line)
            found += _AGENT_EMAIL.findall(line) + _CREDENTIAL_IN_URL.findall(line)
        except Exception:  # a broken record is not a leak; report it the standard way
            self.handleError(record)
            return
        if found:
            with self._lock:
                self.leaks.append(f"{', '.join(found)} in: {line}")

    def take(self) -> list[str]:
        with self._lock:
            leaks, self.leaks = self.leaks, []
        return leaks


_guard = LeakGuard()
_between_tests: list[str] = []


def _install() -> None:
    root = logging.getLogger()
    if _guard not in root.handlers or root.level != logging.INFO:
        configure_logging("INFO", handler=_guard)


def pytest_configure(config: pytest.Config) -> None:
    _install()


@pytest.fixture(autouse=True)
def no_secret_in_logs() -> Iterator[None]:
    """Fails the test if a line it logged carries a secret or sample personal data in clear."""
    _install()  # tests of the logging set-up itself replace the handler
    _between_tests.extend(_guard.take())
    yield
    leaks = _guard.take()
    _install()
    if leaks:
        shown = "\n".join(f"  - {leak[:2000]}" for leak in leaks[:20])
        pytest.fail(f"{len(leaks)} log line(s) carry a secret or personal data in clear:\n{shown}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _between_tests.extend(_guard.take())
    if _between_tests:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"{len(_between_tests)} log line(s) written outside a test carry a secret or personal "
                "data in clear:",
                red=True,
            )
            for leak in _between_tests[:20]:
                reporter.write_line(f"  - {leak[:2000]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
