"""A person using the pages without a browser: their own cookie jar and CSRF token, over ASGI.
Shared by atendimento's and the hub console's page tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


@dataclass
class Person:
    """Someone using the pages: their own cookie jar, the CSRF token of their session."""

    client: httpx.AsyncClient
    agent_id: int
    email: str
    password: str
    csrf: str = ""

    async def login(self) -> httpx.Response:
        response = await self.client.post("/entrar", data={"email": self.email, "password": self.password})
        assert response.status_code == 303, response.text
        await self.refresh_csrf()
        return response

    async def refresh_csrf(self) -> None:
        page = await self.client.get("/conta/senha", headers={"accept": "text/html"})
        match = CSRF_META.search(page.text)
        assert match, page.text[:500]
        self.csrf = match.group(1)

    async def page(self, url: str) -> httpx.Response:
        return await self.client.get(url, headers={"accept": "text/html"})

    async def htmx(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {"hx-request": "true", "x-csrf-token": self.csrf, **kw.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kw)

    async def form(self, url: str, data: dict[str, Any]) -> httpx.Response:
        return await self.client.post(
            url, data={"csrf_token": self.csrf, **data}, headers={"accept": "text/html"}
        )
