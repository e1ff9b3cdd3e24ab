"""What the platform's log carries: the scheduler's routine job runs stay out, its failures stay in."""

from __future__ import annotations

import io
import logging

from carinho.logging import configure_logging


def test_routine_scheduler_runs_are_not_logged_but_failures_are() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    executor_log = logging.getLogger("apscheduler.executors.default")
    executor_log.info('Running job "guard" (scheduled at 2026-11-29 04:53:13)')
    executor_log.error('Job "guard" raised an exception')
    logging.getLogger().handlers[0].flush()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "raised an exception" in lines[0]
