"""Rendering pages: one Jinja environment per app, the kit's globals and filters, static files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from carinho.kit.sessions import mark_refused
from carinho.kit.ui.charts import CHART_GLOBALS
from carinho.kit.ui.formatting import FILTERS

KIT_DIR = Path(__file__).parent
STATIC_DIR = KIT_DIR / "static"
STATIC_PREFIX = "/static/ui"
VENDOR_PREFIX = "/static/vendor"
# Pages are personal (names, phones, messages): never kept by a shared cache.
NO_STORE = {"Cache-Control": "no-store"}


def htmx_dir() -> Path:
    """htmx 2 as shipped by the `django-js-lib-htmx` package (plain static files; no Django import)."""
    return Path(str(files("js_lib_htmx"))) / "static" / "htmx"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    key: str
    shortcut: str | None = None


class Pages:
    """The templates of one app. `render` adds what every page needs: the app's name, the signed-in
    person (`request.state.ui_user`, set by the app's page dependency), the CSRF token, the
    navigation for that person and the static URLs."""

    def __init__(
        self,
        *,
        app_name: str,
        template_dir: Path,
        nav: Callable[[Request], Sequence[NavItem]] = lambda _: (),
        home: str = "/",
    ) -> None:
        self.app_name = app_name
        self.home = home
        self._nav = nav
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(template_dir), FileSystemLoader(KIT_DIR / "templates")]),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(FILTERS)
        self.env.globals.update(CHART_GLOBALS)
        self.env.globals.update(static=static_url, vendor=vendor_url, app_name=app_name, home=home)

    def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        if status_code == 422:  # a form drawn again with what to fix: nothing of it is saved
            mark_refused(request)
        return HTMLResponse(
            self.render_text(request, template, **context),
            status_code=status_code,
            headers={**NO_STORE, **(headers or {})},
        )

    def render_text(self, request: Request, template: str, **context: Any) -> str:
        state = request.state
        user = getattr(state, "ui_user", None)
        base = {
            "request": request,
            "user": user,
            "csrf_token": getattr(state, "csrf_token", "") or "",
            "nav": list(self._nav(request)) if user is not None else [],
            "active": context.pop("active", ""),
            "is_htmx": request.headers.get("hx-request") == "true",
        }
        return self.env.get_template(template).render({**base, **context})


def mount_static(app: FastAPI) -> None:
    """Our CSS/JS and the vendor htmx, under /static; idempotent per app."""
    if getattr(app.state, "ui_static_mounted", False):
        return
    # Compressed for browsers that ask (all do): the CSS and JS are most of a first load's bytes,
    # and an intranet's reverse proxy may not gzip. Pages themselves go as rendered.
    app.mount(STATIC_PREFIX, GZipMiddleware(StaticFiles(directory=STATIC_DIR)), name="ui-static")
    app.mount(VENDOR_PREFIX, GZipMiddleware(StaticFiles(directory=htmx_dir())), name="ui-vendor")
    app.state.ui_static_mounted = True


@cache
def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """`/static/ui/carinho.css?v=<content hash>`: browsers may cache it for good, a new release busts it."""
    return f"{STATIC_PREFIX}/{name}?v={_fingerprint(STATIC_DIR / name)}"


def vendor_url(name: str) -> str:
    return f"{VENDOR_PREFIX}/{name}?v={_fingerprint(htmx_dir() / name)}"
