"""WorkingHoursService: is it open, when does it open, and business-time arithmetic.

The schedule tables are cached for 12 hours per database (seed: domain tables 12 h) and the
holidays for 24 hours; any change made through this service invalidates the cache at once (other
processes pick it up within the TTL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.working_hours import holidays_provider
from carinho.atendimento.working_hours.calendar import BusinessCalendar, Interval, validate_intervals
from carinho.atendimento.working_hours.models import CalendarSettings, CompanyDate, WeeklyInterval
from carinho.atendimento.working_hours.repository import WorkingHoursRepository
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow

DOMAIN_TTL = timedelta(hours=12)
DEFAULT_TIMEZONE = "America/Sao_Paulo"
WEEKDAY_LABELS = [
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
]


class _Closed:
    """Holidays plus company closures, as one `date in ...` container."""

    def __init__(self, holidays: holidays_provider.HolidayDates, closures: frozenset[date]) -> None:
        self.holidays = holidays
        self.closures = closures

    def __contains__(self, day: object) -> bool:
        return day in self.closures or day in self.holidays


@dataclass(frozen=True)
class CalendarConfig:
    timezone: str
    state: str | None
    city: str | None
    optional_holidays: tuple[str, ...]


_cache: dict[str, tuple[datetime, BusinessCalendar, CalendarConfig]] = {}


def _cache_key(session: AsyncSession) -> str:
    return str(session.get_bind().engine.url)


def format_opening(instant: datetime | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """'segunda-feira, 01/12 às 08:00' (what a client reads in the out-of-hours message)."""
    if instant is None:
        return "em breve"
    local = instant.astimezone(ZoneInfo(tz))
    return f"{WEEKDAY_LABELS[local.weekday()]}, {local:%d/%m} às {local:%H:%M}"


def _date_snapshot(row: CompanyDate) -> dict[str, object]:
    return {
        "day": row.day.isoformat(),
        "kind": row.kind,
        "intervals": [list(i) for i in row.intervals],
        "description": row.description,
    }


def _calendar_snapshot(row: CalendarSettings) -> dict[str, object]:
    return {"state": row.state, "city": row.city, "optional_holidays": list(row.optional_holidays or [])}


class WorkingHoursService:
    def invalidate(self) -> None:
        _cache.clear()

    async def _load(self, session: AsyncSession) -> tuple[BusinessCalendar, CalendarConfig]:
        key = _cache_key(session)
        now = utcnow()
        cached = _cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        repo = WorkingHoursRepository(session)
        settings = await repo.settings()
        config = CalendarConfig(
            timezone=settings.timezone if settings else DEFAULT_TIMEZONE,
            state=settings.state if settings else "SP",
            city=settings.city if settings else None,
            optional_holidays=tuple(settings.optional_holidays or ()) if settings else (),
        )
        weekly: dict[int, list[Interval]] = {}
        for row in await repo.weekly():
            weekly.setdefault(row.weekday, []).append((row.start_minute, row.end_minute))
        special: dict[date, tuple[Interval, ...]] = {}
        closures: set[date] = set()
        for company_date in await repo.company_dates():
            if company_date.kind == "special_hours" and company_date.intervals:
                special[company_date.day] = validate_intervals(
                    [(int(i[0]), int(i[1])) for i in company_date.intervals]
                )
            else:
                closures.add(company_date.day)
        holidays = holidays_provider.HolidayDates(config.state, config.city, config.optional_holidays)
        calendar = BusinessCalendar(
            tz=ZoneInfo(config.timezone),
            weekly={day: validate_intervals(v) for day, v in weekly.items()},
            closed=_Closed(holidays, frozenset(closures)),
            special=special,
        )
        _cache[key] = (now + DOMAIN_TTL, calendar, config)
        return calendar, config

    async def calendar(self, session: AsyncSession) -> BusinessCalendar:
        return (await self._load(session))[0]

    async def config(self, session: AsyncSession) -> CalendarConfig:
        return (await self._load(session))[1]

    async def open_now(self, session: AsyncSession, at: datetime | None = None) -> bool:
        return (await self.calendar(session)).is_open(at or utcnow())

    async def next_opening(self, session: AsyncSession, at: datetime | None = None) -> datetime | None:
        return (await self.calendar(session)).next_opening(at or utcnow())

    async def add_business_minutes(self, session: AsyncSession, at: datetime, minutes: float) -> datetime:
        return (await self.calendar(session)).add_business_minutes(at, minutes)

    async def business_minutes_between(self, session: AsyncSession, start: datetime, end: datetime) -> float:
        return (await self.calendar(session)).business_minutes_between(start, end)

    async def next_opening_text(self, session: AsyncSession, at: datetime | None = None) -> str:
        calendar, config = await self._load(session)
        return format_opening(calendar.next_opening(at or utcnow()), config.timezone)

    # --- configuration (supervisors) ---

    async def weekly(self, session: AsyncSession) -> Sequence[WeeklyInterval]:
        return await WorkingHoursRepository(session).weekly()

    async def set_weekly(
        self, session: AsyncSession, days: dict[int, list[Interval]], *, actor: Actor | None = None
    ) -> None:
        rows: list[tuple[int, int, int]] = []
        for weekday, intervals in days.items():
            if not 0 <= weekday <= 6:
                raise BadRequest("Dia da semana inválido (0 = segunda-feira … 6 = domingo).")
            try:
                checked = validate_intervals(intervals)
            except ValueError:
                raise BadRequest(
                    f"Horários de {WEEKDAY_LABELS[weekday]} inválidos: use intervalos dentro do dia, "
                    "sem sobreposição."
                ) from None
            rows += [(weekday, s, e) for s, e in checked]
        if not rows:
            # SLA deadlines and automatic messages count business time: a week that never opens
            # would leave them nothing to count (closures for a day or a holiday are fine). A 400: the
            # request has the documented shape, it breaks a rule the document cannot state.
            raise BadRequest(
                "A semana precisa ter ao menos um horário de atendimento. Para fechar por alguns "
                "dias, cadastre datas de fechamento da empresa."
            )
        repo = WorkingHoursRepository(session)
        before = [[w.weekday, w.start_minute, w.end_minute] for w in await repo.weekly()]
        await repo.replace_weekly(rows)
        self.invalidate()
        after = [list(r) for r in sorted(rows)]
        if actor is not None and sorted(before) != after:
            history_service.record(
                session,
                Action.working_hours_changed,
                actor,
                before={"weekly": sorted(before)},
                after={"weekly": after},
            )

    async def company_dates(self, session: AsyncSession, since: date | None = None) -> Sequence[CompanyDate]:
        return await WorkingHoursRepository(session).company_dates(since)

    async def add_company_date(
        self,
        session: AsyncSession,
        *,
        day: date,
        kind: str,
        intervals: list[Interval],
        description: str,
        actor: Actor | None = None,
    ) -> CompanyDate:
        repo = WorkingHoursRepository(session)
        if kind not in ("closed", "special_hours"):
            raise BadRequest("Tipo de data inválido: use closed ou special_hours.")
        if kind == "special_hours":
            try:
                intervals = list(validate_intervals(intervals))
            except ValueError:
                raise BadRequest("Horário especial inválido.") from None
            if not intervals:
                raise BadRequest("Informe ao menos um intervalo para o horário especial.")
        else:
            intervals = []
        if await repo.company_date_on(day) is not None:
            raise Conflict(f"Já existe uma data especial em {day:%d/%m/%Y}.")
        row = CompanyDate(day=day, kind=kind, intervals=[list(i) for i in intervals], description=description)
        repo.add(row)
        await session.flush()
        self.invalidate()
        if actor is not None:
            history_service.record(session, Action.company_date_added, actor, after=_date_snapshot(row))
        return row

    async def delete_company_date(
        self, session: AsyncSession, date_id: int, *, actor: Actor | None = None
    ) -> None:
        repo = WorkingHoursRepository(session)
        row = await repo.company_date(date_id)
        if row is None:
            raise NotFound("Data especial não encontrada.")
        before = _date_snapshot(row)
        await repo.delete(row)
        await session.flush()
        self.invalidate()
        if actor is not None:
            history_service.record(session, Action.company_date_removed, actor, before=before)

    async def settings_row(self, session: AsyncSession) -> CalendarSettings:
        repo = WorkingHoursRepository(session)
        row = await repo.settings()
        if row is None:
            row = CalendarSettings(timezone=DEFAULT_TIMEZONE, state="SP", city=None, optional_holidays=[])
            repo.add(row)
            await session.flush()
        return row

    async def update_settings(
        self,
        session: AsyncSession,
        *,
        state: str | None,
        city: str | None,
        optional_holidays: list[str],
        actor: Actor | None = None,
    ) -> CalendarSettings:
        import holidays

        supported = set(holidays.BR.subdivisions)
        if state is not None and state.upper() not in supported:
            raise BadRequest(f"UF desconhecida: {state}.")
        if city is not None and city not in supported:
            raise BadRequest(
                f"Cidade sem calendário próprio no pacote de feriados: {city}. "
                "Cadastre os feriados municipais como datas da empresa."
            )
        year = utcnow().year
        known = {n.casefold() for n in holidays_provider.optional_holiday_names(year)}
        unknown = [n for n in optional_holidays if n.casefold() not in known]
        if unknown:
            raise BadRequest(f"Feriados facultativos desconhecidos: {', '.join(unknown)}.")
        row = await self.settings_row(session)
        before = _calendar_snapshot(row)
        row.state = state.upper() if state else None
        row.city = city
        row.optional_holidays = list(optional_holidays)
        await session.flush()
        self.invalidate()
        after = _calendar_snapshot(row)
        if actor is not None and after != before:
            history_service.record(
                session, Action.calendar_settings_changed, actor, before=before, after=after
            )
        return row

    async def holidays(self, session: AsyncSession, year: int) -> list[tuple[date, str]]:
        config = await self.config(session)
        found = holidays_provider.holidays_for_year(
            year, state=config.state, city=config.city, optional=config.optional_holidays
        )
        return sorted(found.items())


working_hours_service = WorkingHoursService()
