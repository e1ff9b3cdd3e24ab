"""The words and badge tones of the syncs' and attempts' statuses (the events', steps' and
deliveries': `views`) (the data keeps its English
values; people read Portuguese)."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

# status -> (label, badge tone)
SYNC_STATUS: dict[str, tuple[str, str]] = {
    "queued": ("Na fila", "info"),
    "running": ("Em execução", "accent"),
    "succeeded": ("Concluída", "success"),
    "partial": ("Concluída com falhas", "warning"),
    "failed": ("Falhou", "danger"),
    "skipped": ("Ignorada (outra em andamento)", "neutral"),
}
SYNC_TRIGGER = {"schedule": "agendada", "manual": "manual"}

ATTEMPT_STATUS: dict[str, tuple[str, str]] = {
    "sending": ("Enviando", "info"),
    "succeeded": ("Sucesso", "success"),
    "failed": ("Falha", "danger"),
}


def status(table: dict[str, tuple[str, str]], value: str) -> tuple[str, str]:
    return table.get(value, (value, "neutral"))


def schedule(trigger: BaseTrigger) -> str:
    """'a cada hora', 'a cada 4 horas', 'a cada 12 horas', 'uma vez por dia'."""
    if not isinstance(trigger, IntervalTrigger):
        return str(trigger)
    interval: timedelta = trigger.interval
    seconds = int(interval.total_seconds())
    if seconds == 86_400:
        return "uma vez por dia"
    if seconds % 86_400 == 0:
        return f"a cada {seconds // 86_400} dias"
    if seconds == 3600:
        return "a cada hora"
    if seconds % 3600 == 0:
        return f"a cada {seconds // 3600} horas"
    if seconds % 60 == 0:
        return f"a cada {seconds // 60} min"
    return f"a cada {seconds} s"


def run_time(milliseconds: int | None) -> str:
    """How long a run or a request took: '850 ms', '12,4 s', '3 min 05 s'."""
    if milliseconds is None:
        return "—"
    if milliseconds < 1000:
        return f"{milliseconds} ms"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".", ",")
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"
