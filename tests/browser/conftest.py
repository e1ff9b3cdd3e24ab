"""Browser tests: the real platform (`carinho up` on free ports, fresh data dir) once per session (per
pytest-xdist worker), Debian's Chromium for each run of browser tests in a row, a fresh browser
context per test.

Without /usr/bin/chromium the tests skip, saying how to enable them; in CI (`CI=true`) they fail.
They run in one xdist group ("browser"): with `--dist loadgroup` one worker runs them all against
one platform; under another distribution each worker that gets some starts its own platform (own
ports from the worker's block, own data dir) and they still pass — only slower.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from carinho.kit.ui.testing.browser import (
    HOW_TO_ENABLE,
    chromium,
    chromium_available,
    chromium_path,
    log_in,
    new_context,
)
from carinho.kit.ui.testing.platform import Platform
from carinho.kit.ui.testing.startup import Account, business_morning
from tests.support.processes import free_port

BROWSER_DIR = Path(__file__).parent
XDIST_GROUP = "browser"
EXPECT_TIMEOUT_MS = 10_000  # auto-waiting assertions; pages answer in milliseconds, CI machines vary
ACTION_TIMEOUT_MS = 15_000
# The hub's alerts sooner than in production (rules evaluated every 30 s, a lane red after 45 s of
# waiting), so that test_console_alerts.py sees an alert open, a lane turn red and the alert resolve
# in seconds rather than minutes; no other browser test waits on either.
ALERT_TIMINGS = {"ALERTS_EVALUATE_INTERVAL_SECONDS": "3", "CONSOLE_LANE_STUCK_SECONDS": "15"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the pages in Chromium against `carinho up`")
    config.addinivalue_line("markers", "xdist_group(name): run in one pytest-xdist worker")
    config.addinivalue_line(
        "markers", "moves_clock: moves the platform's clock; runs after the other browser tests"
    )


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every browser test is marked `browser` and `slow` (it drives processes: the platform and
    Chromium) and belongs to one xdist group."""
    if BROWSER_DIR in Path(str(item.path)).parents:
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.xdist_group(XDIST_GROUP))


@pytest.hookimpl(trylast=True)  # after xdist's own, which suffixes grouped node ids with "@browser"
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests that move the platform's clock after the other browser tests (the clock is
    shared by all of them), and keep the browser tests in their xdist group under `--dist loadgroup`."""
    late = [item for item in items if item.get_closest_marker("moves_clock")]
    if late:
        # At the end of the browser tests, not of the session: the browser is package-scoped, closed
        # before the other packages' tests run.
        rest = [item for item in items if item not in late]
        kept = [i for i, item in enumerate(rest) if item.get_closest_marker("browser")]
        last = kept[-1] if kept else -1
        items[:] = rest[: last + 1] + late + rest[last + 1 :]
    if getattr(config.option, "loadgroup", False):  # set on xdist workers under --dist loadgroup
        _suffix_group(items)


def _suffix_group(items: list[pytest.Item]) -> None:
    """pytest-xdist 3.8 groups a test by the "@group" it appends to the node id, but pytest 9.2's
    structured node ids ignore its assignment (pytest-dev/pytest-xdist#1386, fix open in #1388):
    the tests would silently spread over the workers, each starting a platform. Append it the way
    pytest 9.2 keeps node ids; a no-op where xdist's own suffix took effect."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # an older pytest: xdist's suffix works
        return
    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if groups and "@" not in item.nodeid and isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")  # type: ignore[attr-defined]


def _require_chromium() -> None:
    if chromium_available():
        return
    message = f"{chromium_path()} is missing: the browser tests need it; {HOW_TO_ENABLE}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class Team:
    """The people of the session's platform. Only `n1` is an available N1 attendant, so every new
    conversation from the sandbox phone is assigned to her (round-robin among available N1)."""

    admin: Account
    n1: Account
    n2: Account
    supervisor: Account


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """`carinho up` for the whole session (a subprocess: it lives on while a worker runs other
    packages' tests between browser tests, so it starts once per worker), its clock on a business
    morning (Tuesday 10:00 in São Paulo): out-of-hours replies and SLA timers behave the same
    whenever the tests run."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser-platform")
    # One process (EMBEDDED_PROCESSES=single): every xdist worker runs a session platform beside its
    # Chromium, and three processes per worker overloaded a 2-core machine at the start of a full run
    # (pages past the 15 s timeout). The per-system default is exercised by tests/test_embedded_processes.py
    # and the other tests that start `carinho up` (crash recovery, health, status, the contact center flow).
    running = Platform(
        root / "data",
        port_picker=free_port,
        clock_at=business_morning(),
        env={"EMBEDDED_PROCESSES": "single", **ALERT_TIMINGS},
    ).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def team(platform: Platform) -> Team:
    return Team(
        admin=platform.admin,
        n1=platform.create_agent("Ana Lima", "ana@carinho.com.vc", level="N1"),
        n2=platform.create_agent("Bruno Reis", "bruno@carinho.com.vc", level="N2"),
        supervisor=platform.create_agent(
            "Sofia Martins", "sofia@carinho.com.vc", level="N2", role="supervisor", available=False
        ),
    )


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    # Package scope: Playwright's sync API runs an event loop in this thread while it is open, and
    # the asyncio tests of the other packages cannot run inside it (closed after the last browser
    # test in a row, launched again, in a second or two, if a worker gets more later).
    with chromium() as running:
        yield running


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def context(
    browser: Any, platform: Platform, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Any]:
    """A fresh browser context (no cookies) on atendimento. On failure, a screenshot of each of its
    pages is kept in the test's tmp dir (the path is printed). A request that ended in a 500 while
    the test ran fails it, with the server's traceback: a page must never crash."""
    ctx = new_context(browser, platform.atendimento_url)
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    log_start = platform.log_position()
    yield ctx
    crashes = platform.unhandled_errors(since=log_start)
    report = getattr(request.node, "report_call", None)
    if (report is not None and report.failed) or crashes:
        for index, open_page in enumerate(ctx.pages):
            shot = tmp_path / f"failure-{index}.png"
            try:
                open_page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of {open_page.url}: {shot}")
            except Exception as exc:  # the page may be gone; the test's own error matters
                print(f"no screenshot of page {index}: {exc}")
    ctx.close()
    if crashes:
        pytest.fail("the platform answered 500 during the test:\n\n" + "\n\n".join(crashes), pytrace=False)


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def login(page: Any) -> Callable[[Account], Any]:
    """`login(account)`: log in through the login page; the page, now on the inbox."""

    def enter(account: Account) -> Any:
        log_in(page, account.email, account.password)
        return page

    return enter


_phones = itertools.count(1)


@pytest.fixture
def phone() -> Callable[[], str]:
    """`phone()`: a phone number no other test of the session uses, e.g. '11970000001'."""

    def new() -> str:
        number = next(_phones)
        if number % 10_000 == 0:  # numbers ending in 0000 have no WhatsApp in the sandbox
            number = next(_phones)
        return f"1197{number:07d}"

    return new


@pytest.fixture
def customer_writes(platform: Platform, phone: Callable[[], str]) -> Callable[..., dict[str, Any]]:
    """`customer_writes(text, name=..., phone=None)`: a message from the sandbox phone (a new
    number unless given), through the hub to atendimento; the conversation as the API shows it."""

    def write(text: str, *, name: str = "Dona Rosa", number: str | None = None) -> dict[str, Any]:
        number = number or phone()
        platform.phone_sends(number, text, sender_name=name)
        conversation = platform.conversation_of(number)
        conversation["phone_number"] = number
        return conversation

    return write


@pytest.fixture
def console(browser: Any, platform: Platform) -> Iterator[Any]:
    """A page of the hub console, logged in as its first administrator. A request that ended in a 500
    while the test ran fails it."""
    ctx = new_context(browser, platform.hub_url)
    ctx.set_default_timeout(ACTION_TIMEOUT_MS)
    start = platform.log_position()
    page = ctx.new_page()
    admin = platform.console_admin
    log_in(page, admin.email, admin.password)
    yield page
    ctx.close()
    crashes = platform.unhandled_errors(since=start)
    if crashes:
        pytest.fail("the platform answered 500 during the test:\n\n" + "\n\n".join(crashes), pytrace=False)
