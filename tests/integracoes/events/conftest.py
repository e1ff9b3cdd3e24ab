from __future__ import annotations

import pytest

from carinho.runtime import Runtime
from tests.integracoes.webhooks.support import ensure_process_event_job


@pytest.fixture(autouse=True)
def _process_event_job(rt: Runtime) -> None:
    ensure_process_event_job()
