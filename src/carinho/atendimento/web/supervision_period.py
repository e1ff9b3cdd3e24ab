"""The period of a supervisor's report, in the URL as local dates: `?de=2026-11-01&ate=2026-11-30`
(both days included, America/Sao_Paulo). Without them: the last 30 days up to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from carinho.errors import BadRequest
from carinho.kit.clock import utcnow
from carinho.kit.ui.formatting import LOCAL_TZ

DEFAULT_DAYS = 30
MAX_DAYS = 731


def _day(value: str | None, name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"Data inválida em '{name}': use o calendário (dd/mm/aaaa).") from None


@dataclass(frozen=True)
class ReportPeriod:
    first: date
    last: date

    @classmethod
    def from_query(cls, params: Any) -> ReportPeriod:
        today = utcnow().astimezone(LOCAL_TZ).date()
        last = _day(params.get("ate"), "até") or today
        first = _day(params.get("de"), "de") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise BadRequest("O início do período deve ser anterior ao fim.")
        if (last - first).days >= MAX_DAYS:
            raise BadRequest("Período longo demais: no máximo 2 anos.")
        return cls(first, last)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """Exclusive: the midnight after the last day."""
        return datetime.combine(self.last + timedelta(days=1), time.min, LOCAL_TZ)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def query(self) -> str:
        return f"de={self.first.isoformat()}&ate={self.last.isoformat()}"
