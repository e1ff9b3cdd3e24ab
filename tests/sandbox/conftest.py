from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sandbox.harness import (
    RunningSandbox,
    WebhookReceiver,
    running_receiver,
    running_sandbox,
    sandbox_settings,
)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    async with running_sandbox(sandbox_settings(tmp_path)) as running:
        yield running


@pytest.fixture
async def receiver(sandbox: RunningSandbox) -> AsyncIterator[WebhookReceiver]:
    async with running_receiver() as hook:
        sandbox.state.zapi.webhooks = dict.fromkeys(sandbox.state.zapi.webhooks, hook.url)
        yield hook
