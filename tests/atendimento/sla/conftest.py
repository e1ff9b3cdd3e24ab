"""The SLA tests measure targets to the second: the clock moves only when a test moves it."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _still(still_clock: None) -> None:
    pass
