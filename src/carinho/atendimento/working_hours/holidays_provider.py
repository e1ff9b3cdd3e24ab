"""Brazilian holidays from the `holidays` package (pt-BR names), cached for 24 hours."""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from carinho.kit.clock import utcnow

HOLIDAY_TTL = timedelta(hours=24)

_cache: dict[tuple[int, str | None, tuple[str, ...]], tuple[object, dict[date, str]]] = {}


def _subdivision(state: str | None, city: str | None) -> str | None:
    return city or state or None


def holidays_for_year(
    year: int, *, state: str | None, city: str | None, optional: tuple[str, ...] = ()
) -> dict[date, str]:
    """National + state (or supported city) public holidays, plus the optional ones named."""
    key = (year, _subdivision(state, city), tuple(sorted(optional)))
    now = utcnow()
    cached = _cache.get(key)
    if cached is not None and cached[0] > now:  # type: ignore[operator]
        return cached[1]
    subdiv = key[1]
    public = holidays.country_holidays("BR", subdiv=subdiv, years=year, language="pt_BR")
    result: dict[date, str] = dict(public.items())
    if optional:
        wanted = {name.casefold() for name in optional}
        extra = holidays.country_holidays(
            "BR", subdiv=subdiv, years=year, language="pt_BR", categories=("optional",)
        )
        for day, name in extra.items():
            if name.casefold() in wanted:
                result.setdefault(day, name)
    _cache[key] = (now + HOLIDAY_TTL, result)
    return result


def optional_holiday_names(year: int) -> list[str]:
    extra = holidays.country_holidays("BR", years=year, language="pt_BR", categories=("optional",))
    return sorted(set(extra.values()))


def clear_cache() -> None:
    _cache.clear()


class HolidayDates:
    """A lazy `date in holidays` container that loads each year on first use (`holidays_for_year`
    keeps it, for HOLIDAY_TTL)."""

    def __init__(self, state: str | None, city: str | None, optional: tuple[str, ...]) -> None:
        self.state = state
        self.city = city
        self.optional = optional

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return day in holidays_for_year(day.year, state=self.state, city=self.city, optional=self.optional)
