"""The API docs of both apps load every asset from the app itself (they work on an intranet)."""

from __future__ import annotations

import re

import httpx
import pytest

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_have_no_external_assets(
    hub: httpx.AsyncClient, atendimento: httpx.AsyncClient, path: str
) -> None:
    for client in (hub, atendimento):
        page = await client.get(path)
        assert page.status_code == 200
        assets = ASSET.findall(page.text)
        assert assets, page.text[:300]
        for url in assets:
            assert url.startswith("/"), f"{path} loads {url} from outside the app"
            asset = await client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
        assert "cdn." not in page.text and "fonts.googleapis" not in page.text
