"""What the metrics package does when the inbox emits a signal (see atendimento/signals.py).

Nothing: the hourly message counts are rolled up by a periodic job (metrics/tasks.py) rather than
incremented here, so that a message's transaction never waits on a shared counter row (see
docs/atendimento/metrics.md, "Pre-aggregation").
"""

from __future__ import annotations
