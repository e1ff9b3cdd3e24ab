"""Debian's Chromium driven by Playwright, the login page, and axe-core accessibility checks.

Playwright's own browser download cannot work where the platform is tested (no internet): the
browser is the distribution's `/usr/bin/chromium` (`apt-get install chromium`). Playwright and
axe-playwright-python are development dependencies, imported only inside these functions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the dev dependency stays out of every import of the running apps
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium's own widgets (date fields: dd/mm/aaaa) in Portuguese, as a person here sees them;
    # it needs Debian's chromium-l10n and the LANGUAGE below (the page's locale alone is not enough).
    "--lang=pt-BR",
)
HOW_TO_ENABLE = "install Debian's Chromium to run them: `sudo apt-get install chromium` (/usr/bin/chromium)"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEZONE = "America/Sao_Paulo"
LOCALE = "pt-BR"
# What fails a page: axe-core's two highest impacts. Moderate/minor ones are reported, not fatal.
FAILING_IMPACTS = ("serious", "critical")


def chromium_path() -> Path:
    """/usr/bin/chromium, or the executable named by CARINHO_CHROMIUM (another distribution's path)."""
    return Path(os.environ.get("CARINHO_CHROMIUM") or CHROMIUM)


def chromium_available(executable: Path | None = None) -> bool:
    path = executable or chromium_path()
    return path.is_file() and os.access(path, os.X_OK)


@contextmanager
def chromium(executable: Path | None = None) -> Iterator[Browser]:
    """A headless Chromium for the duration of the block (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    executable = executable or chromium_path()
    if not chromium_available(executable):
        raise RuntimeError(f"{executable} is missing: {HOW_TO_ENABLE}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable),
            args=list(CHROMIUM_ARGS),
            env={**os.environ, "LANGUAGE": "pt_BR"},
        )
        try:
            yield browser
        finally:
            browser.close()


def new_context(
    browser: Browser, base_url: str, *, viewport: dict[str, int] | None = None, **options: Any
) -> BrowserContext:
    """A fresh context (no cookies) seeing pages as a person in São Paulo does: pt-BR, local time."""
    return browser.new_context(
        base_url=base_url,
        viewport=viewport or DESKTOP,  # type: ignore[arg-type]
        locale=LOCALE,
        timezone_id=TIMEZONE,
        **options,
    )


def log_in(page: Page, email: str, password: str, *, url: str = "/entrar", succeed: bool = True) -> None:
    """Log in through the login page as a person does (fields by their labels, the "Entrar" button);
    with `succeed`, wait until the browser has left the login page."""
    from playwright.sync_api import expect

    if not page.url.split("?")[0].endswith(url):
        page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar", exact=True).click()
    if succeed:
        expect(page).not_to_have_url(re.compile(re.escape(url) + r"(\?|$)"))


def log_out(page: Page) -> None:
    """Log out as a person does: the account menu, then "Sair"; the browser ends on the plain login
    page. (Clearing the cookies under an open page raced its live refresh, which redirects to the
    login page by itself, against the next `goto`.)"""
    from playwright.sync_api import expect

    page.locator(".topbar-end summary.menu-button").click()  # the account menu
    page.get_by_role("button", name="Sair", exact=True).click()
    # The page's live refresh may meet the ended session first and take the browser to the login
    # page itself ("sessão expirou"); on the login page nothing redirects any more.
    expect(page).to_have_url(re.compile(r"/entrar(\?|$)"))
    if "saiu=1" not in page.url:
        page.goto("/entrar")


class AccessibilityViolations(AssertionError):
    """axe-core found violations of a failing impact; the message is the readable report."""

    def __init__(self, report: str, violations: list[dict[str, Any]]) -> None:
        super().__init__(report)
        self.violations = violations


def axe_violations(
    page: Page, *, context: str | None = None, disable_rules: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now (WCAG 2 A/AA and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    options: dict[str, Any] = {"resultTypes": ["violations"]}
    disabled = list(disable_rules)
    if disabled:
        options["rules"] = {rule: {"enabled": False} for rule in disabled}
    results = Axe().run(page, context=context, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def axe_report(violations: Sequence[dict[str, Any]], *, where: str = "") -> str:
    """A report a person can act on: each rule, its impact, what to do, and every element with the
    reason axe gives for it."""
    lines = [f"{len(violations)} accessibility violation(s){f' on {where}' if where else ''}:"]
    for violation in violations:
        lines.append(
            f"\n[{violation.get('impact')}] {violation['id']}: {violation.get('help')}\n"
            f"  {violation.get('helpUrl', '')}"
        )
        for node in violation.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
            lines.append(f"  - {target}\n      {html}")
            summary = (node.get("failureSummary") or "").strip()
            for reason in summary.splitlines():
                lines.append(f"      {reason.strip()}")
    return "\n".join(lines)


def assert_accessible(
    page: Page,
    *,
    what: str | None = None,
    impacts: Sequence[str] = FAILING_IMPACTS,
    disable_rules: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Run axe-core on the page; raise `AccessibilityViolations` (an AssertionError) with a readable
    report if any violation has one of `impacts`. Returns the other (milder) violations."""
    violations = axe_violations(page, disable_rules=disable_rules)
    failing = [v for v in violations if v.get("impact") in impacts]
    if failing:
        raise AccessibilityViolations(axe_report(failing, where=what or page.url), failing)
    return [v for v in violations if v not in failing]
