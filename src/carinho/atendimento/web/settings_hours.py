"""Configurações › Horário e feriados: open now or not and the next opening, the weekly schedule,
the month as a calendar (hours of each day, national/state/city holidays from `holidays`, company
closures and special hours), the company dates and which state's holidays apply — the same
service as /api/working-hours."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import holidays
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.atendimento.working_hours import holidays_provider
from carinho.atendimento.working_hours.calendar import format_intervals, parse_intervals
from carinho.atendimento.working_hours.models import CompanyDate
from carinho.atendimento.working_hours.service import WEEKDAY_LABELS, working_hours_service
from carinho.errors import BadRequest, CarinhoError
from carinho.kit.clock import utcnow
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

HOURS_URL = f"{SETTINGS_URL}/horario"
KINDS = [("closed", "Fechado o dia todo"), ("special_hours", "Horário especial")]
# Sunday first, as Brazilian wall calendars.
CALENDAR_WEEKDAYS = [6, 0, 1, 2, 3, 4, 5]
SHORT_WEEKDAYS = {0: "seg", 1: "ter", 2: "qua", 3: "qui", 4: "sex", 5: "sáb", 6: "dom"}

Text = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=32)]


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    today: bool
    hours: str
    holiday: str | None
    company: CompanyDate | None

    @property
    def open(self) -> bool:
        return bool(self.hours)


def _month(value: str | None, today: date) -> date:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _interval_text(text: str, what: str) -> list[tuple[int, int]]:
    try:
        return parse_intervals(text)
    except ValueError:
        raise BadRequest(f"{what}: use o formato 08:00-12:00, 13:00-18:00.") from None


async def _render(
    request: Request, session: SessionDep, agent: Agent, *, status_code: int = 200, error: str | None = None
) -> Response:
    now = utcnow()
    business = await working_hours_service.calendar(session)
    config = await working_hours_service.config(session)
    today = now.astimezone(business.tz).date()
    first = _month(request.query_params.get("mes"), today)
    weeks_raw = month_calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    years = {d.year for week in weeks_raw for d in week}
    holiday_names: dict[date, str] = {}
    for year in years:
        holiday_names.update(dict(await working_hours_service.holidays(session, year)))
    company = {row.day: row for row in await working_hours_service.company_dates(session)}
    weeks = [
        [
            CalendarDay(
                day=d,
                in_month=d.month == first.month,
                today=d == today,
                hours=format_intervals(business.intervals_on(d)),
                holiday=holiday_names.get(d),
                company=company.get(d),
            )
            for d in week
        ]
        for week in weeks_raw
    ]
    weekly: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    for row in await working_hours_service.weekly(session):
        weekly[row.weekday].append((row.start_minute, row.end_minute))
    upcoming = [row for row in company.values() if row.day >= today]
    # Open now: until when, and the opening after that (the next one a customer would be told).
    open_now = business.is_open(now)
    closes_at = next(business.windows(now))[1] if open_now else None
    context: dict[str, Any] = {
        "open_now": open_now,
        "closes_at": closes_at,
        "next_opening": await working_hours_service.next_opening_text(session, closes_at or now),
        # The first opening on a later day (what tonight's out-of-hours reply will announce).
        "next_day_opening": await working_hours_service.next_opening_text(
            session, datetime.combine(today + timedelta(days=1), time(0), tzinfo=business.tz)
        ),
        "weekly": [(d, WEEKDAY_LABELS[d], format_intervals(sorted(weekly[d]))) for d in range(7)],
        "weeks": weeks,
        "weekdays": [(SHORT_WEEKDAYS[d], WEEKDAY_LABELS[d]) for d in CALENDAR_WEEKDAYS],
        "month": first,
        "previous_month": _shift(first, -1),
        "next_month": _shift(first, 1),
        "company_dates": sorted(upcoming, key=lambda r: r.day),
        "kinds": KINDS,
        "kind_labels": dict(KINDS),
        "format_intervals": format_intervals,
        "config": config,
        "states": sorted(holidays.BR.subdivisions),
        "optional_names": holidays_provider.optional_holiday_names(today.year),
        "error": error,
    }
    return render_tab(
        request,
        "atendimento/settings/hours.html",
        HOURS_URL,
        status_code=status_code,
        **context,
    )


@router.get(HOURS_URL)
async def hours_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session, supervisor)


@router.post(f"{HOURS_URL}/semana")
async def save_weekly(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    form = await request.form()
    try:
        days = {
            d: _interval_text(str(form.get(f"dia-{d}", ""))[:200], WEEKDAY_LABELS[d].capitalize())
            for d in range(7)
        }
        await working_hours_service.set_weekly(session, days, actor=Actor.of(supervisor))
    except CarinhoError as exc:
        return await _render(request, session, supervisor, status_code=422, error=exc.message)
    return RedirectResponse(f"{HOURS_URL}?salvo=1", status_code=303)


@router.post(f"{HOURS_URL}/datas")
async def add_company_date(
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    day: Short = "",
    kind: Short = "closed",
    hours: Text = "",
    description: Text = "",
) -> Response:
    try:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise BadRequest("Informe a data (dd/mm/aaaa).") from None
        intervals = _interval_text(hours, "Horário especial") if kind == "special_hours" else []
        await working_hours_service.add_company_date(
            session,
            day=when,
            kind=kind,
            intervals=intervals,
            description=description.strip()[:160],
            actor=Actor.of(supervisor),
        )
    except CarinhoError as exc:
        return await _render(request, session, supervisor, status_code=422, error=exc.message)
    return RedirectResponse(f"{HOURS_URL}?mes={when:%Y-%m}&salvo=1", status_code=303)


@router.post(HOURS_URL + "/datas/{date_id}/remover")
async def remove_company_date(date_id: Id, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    await working_hours_service.delete_company_date(session, date_id, actor=Actor.of(supervisor))
    return RedirectResponse(f"{HOURS_URL}?salvo=1", status_code=303)


@router.post(f"{HOURS_URL}/feriados")
async def save_holiday_settings(
    request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    form = await request.form()
    state = str(form.get("state", ""))[:2] or None
    optional = [str(name)[:80] for name in form.getlist("optional")][:20]
    try:
        config = await working_hours_service.config(session)
        await working_hours_service.update_settings(
            session, state=state, city=config.city, optional_holidays=optional, actor=Actor.of(supervisor)
        )
    except CarinhoError as exc:
        return await _render(request, session, supervisor, status_code=422, error=exc.message)
    return RedirectResponse(f"{HOURS_URL}?salvo=1", status_code=303)
