"""Every route of an app with an id in its path, called with an id no database holds: a 422 for the
API, the 404 page for pages, never a 5xx (issue 19 #10; the bound is kit/ids.py). Shared by
atendimento's and the hub's tests."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from carinho.kit.ids import ID_MAX

# The id of the report (beyond int64).
HUGE_ID = 32263954375404916635074560

Send = Callable[[str, str, bool], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class IdRoute:
    method: str
    path: str
    int_params: tuple[str, ...]
    bounds: tuple[tuple[str, Any], ...]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self) -> str:
        def value(match: re.Match[str]) -> str:
            return str(HUGE_ID) if match.group(1) in self.int_params else "x"

        return re.sub(r"\{(\w+)(?::\w+)?\}", value, self.path)


def _walk(routes: list[Any]) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route), through FastAPI's included routers."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route
        elif isinstance(route, APIRoute):
            yield route.path, route


def id_routes(app: FastAPI) -> list[IdRoute]:
    found = []
    for path, route in _walk(app.routes):
        params = [p for p in route.dependant.path_params if p.field_info.annotation is int]
        if not params:
            continue
        bounds = tuple(
            (p.name, next((m.le for m in p.field_info.metadata if hasattr(m, "le")), None)) for p in params
        )
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append(IdRoute(method, path, tuple(p.name for p in params), bounds))
    return found


def unbounded(routes: list[IdRoute]) -> list[str]:
    return [
        f"{r.method} {r.path} {name}" for r in routes for name, le in r.bounds if le is None or le > ID_MAX
    ]


async def server_errors(routes: list[IdRoute], send: Send) -> list[str]:
    """Call each route (API: JSON; pages: as a browser) and list what did not answer as it should."""
    wrong = []
    for route in routes:
        response = await send(route.method, route.url(), route.is_api)
        expected = 422 if route.is_api else 404
        if response.status_code != expected:
            wrong.append(f"{route.method} {route.url()} -> {response.status_code} {response.text[:120]}")
    return wrong
