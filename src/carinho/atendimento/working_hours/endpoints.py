from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from carinho.atendimento.agents.auth import CurrentAgent, SupervisorAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.working_hours.calendar import NoOpenTime, hhmm, minutes_of
from carinho.atendimento.working_hours.schemas import (
    AddMinutesOut,
    BetweenOut,
    CalendarSettingsIn,
    CalendarSettingsOut,
    CompanyDateIn,
    CompanyDateOut,
    DayOut,
    HolidayOut,
    IntervalIn,
    StatusOut,
    WeeklyIn,
)
from carinho.atendimento.working_hours.service import WEEKDAY_LABELS, format_opening, working_hours_service
from carinho.errors import BadRequest
from carinho.kit.clock import utcnow
from carinho.kit.ids import Id

router = APIRouter(prefix="/api/working-hours", tags=["horário de atendimento"])


def _minutes(value: str) -> int:
    try:
        return minutes_of(value)
    except ValueError:
        raise BadRequest(f"Horário inválido: {value}.") from None


_hhmm = hhmm


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise BadRequest("Informe datas com fuso horário (ex.: 2026-12-01T08:00:00-03:00).")
    return value


@router.get("/status", response_model=StatusOut)
async def status(agent: CurrentAgent, session: SessionDep, at: datetime | None = None) -> StatusOut:
    """Aberto agora? Próxima abertura."""
    instant = _aware(at) if at else utcnow()
    opening = await working_hours_service.next_opening(session, instant)
    config = await working_hours_service.config(session)
    return StatusOut(
        at=instant,
        open_now=await working_hours_service.open_now(session, instant),
        next_opening=opening,
        next_opening_text=format_opening(opening, config.timezone),
    )


@router.get("/add-minutes", response_model=AddMinutesOut)
async def add_minutes(
    agent: CurrentAgent,
    session: SessionDep,
    start: datetime,
    minutes: Annotated[float, Query(ge=0, le=525600)],
) -> AddMinutesOut:
    try:
        result = await working_hours_service.add_business_minutes(session, _aware(start), minutes)
    except NoOpenTime as exc:  # more open time than the calendar's search horizon holds
        raise BadRequest(
            "Não há horário de atendimento suficiente no calendário para somar esses minutos."
        ) from exc
    return AddMinutesOut(start=start, minutes=minutes, result=result)


@router.get("/between", response_model=BetweenOut)
async def between(agent: CurrentAgent, session: SessionDep, start: datetime, end: datetime) -> BetweenOut:
    value = await working_hours_service.business_minutes_between(session, _aware(start), _aware(end))
    return BetweenOut(start=start, end=end, business_minutes=value)


@router.get("/weekly", response_model=list[DayOut])
async def weekly(agent: CurrentAgent, session: SessionDep) -> list[DayOut]:
    days: dict[int, list[IntervalIn]] = {d: [] for d in range(7)}
    for row in await working_hours_service.weekly(session):
        days[row.weekday].append(IntervalIn(start=_hhmm(row.start_minute), end=_hhmm(row.end_minute)))
    return [DayOut(weekday=d, weekday_label=WEEKDAY_LABELS[d], intervals=v) for d, v in days.items()]


@router.put("/weekly", response_model=list[DayOut])
async def set_weekly(body: WeeklyIn, supervisor: SupervisorAgent, session: SessionDep) -> list[DayOut]:
    """Substitui a grade semanal (vários intervalos por dia; dias omitidos ficam fechados)."""
    days = {d.weekday: [(_minutes(i.start), _minutes(i.end)) for i in d.intervals] for d in body.days}
    await working_hours_service.set_weekly(session, days, actor=Actor.of(supervisor))
    return await weekly(supervisor, session)


@router.get("/company-dates", response_model=list[CompanyDateOut])
async def company_dates(agent: CurrentAgent, session: SessionDep) -> list[CompanyDateOut]:
    return [
        CompanyDateOut(
            id=row.id,
            day=row.day,
            kind=row.kind,
            intervals=[IntervalIn(start=_hhmm(s), end=_hhmm(e)) for s, e in row.intervals],
            description=row.description,
        )
        for row in await working_hours_service.company_dates(session)
    ]


@router.post("/company-dates", response_model=CompanyDateOut, status_code=201)
async def add_company_date(
    body: CompanyDateIn, supervisor: SupervisorAgent, session: SessionDep
) -> CompanyDateOut:
    """Fechamento da empresa ou horário especial numa data."""
    row = await working_hours_service.add_company_date(
        session,
        day=body.day,
        kind=body.kind,
        intervals=[(_minutes(i.start), _minutes(i.end)) for i in body.intervals],
        description=body.description,
        actor=Actor.of(supervisor),
    )
    return CompanyDateOut(
        id=row.id,
        day=row.day,
        kind=row.kind,
        intervals=[IntervalIn(start=_hhmm(s), end=_hhmm(e)) for s, e in row.intervals],
        description=row.description,
    )


@router.delete("/company-dates/{date_id}", status_code=204)
async def delete_company_date(date_id: Id, supervisor: SupervisorAgent, session: SessionDep) -> Response:
    await working_hours_service.delete_company_date(session, date_id, actor=Actor.of(supervisor))
    return Response(status_code=204)


@router.get("/calendar", response_model=CalendarSettingsOut)
async def calendar_settings(agent: CurrentAgent, session: SessionDep) -> CalendarSettingsOut:
    config = await working_hours_service.config(session)
    return CalendarSettingsOut(
        timezone=config.timezone,
        state=config.state,
        city=config.city,
        optional_holidays=list(config.optional_holidays),
    )


@router.put("/calendar", response_model=CalendarSettingsOut)
async def update_calendar(
    body: CalendarSettingsIn, supervisor: SupervisorAgent, session: SessionDep
) -> CalendarSettingsOut:
    """UF, cidade (quando o pacote de feriados a conhece) e feriados facultativos observados."""
    row = await working_hours_service.update_settings(
        session,
        state=body.state,
        city=body.city,
        optional_holidays=body.optional_holidays,
        actor=Actor.of(supervisor),
    )
    return CalendarSettingsOut(
        timezone=row.timezone, state=row.state, city=row.city, optional_holidays=list(row.optional_holidays)
    )


@router.get("/holidays", response_model=list[HolidayOut])
async def holidays(
    agent: CurrentAgent, session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]
) -> list[HolidayOut]:
    return [HolidayOut(day=d, name=n) for d, n in await working_hours_service.holidays(session, year)]
