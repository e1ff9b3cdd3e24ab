from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select

from carinho.atendimento.working_hours.models import CalendarSettings, CompanyDate, WeeklyInterval
from carinho.kit.repository import SessionRepository


class WorkingHoursRepository(SessionRepository):
    async def weekly(self) -> Sequence[WeeklyInterval]:
        stmt = select(WeeklyInterval).order_by(WeeklyInterval.weekday, WeeklyInterval.start_minute)
        return (await self.session.execute(stmt)).scalars().all()

    async def replace_weekly(self, intervals: list[tuple[int, int, int]]) -> None:
        await self.session.execute(delete(WeeklyInterval))
        for weekday, start, end in intervals:
            self.session.add(WeeklyInterval(weekday=weekday, start_minute=start, end_minute=end))
        await self.session.flush()

    async def company_dates(self, since: date | None = None) -> Sequence[CompanyDate]:
        stmt = select(CompanyDate).order_by(CompanyDate.day)
        if since is not None:
            stmt = stmt.where(CompanyDate.day >= since)
        return (await self.session.execute(stmt)).scalars().all()

    async def company_date(self, date_id: int) -> CompanyDate | None:
        return await self.session.get(CompanyDate, date_id)

    async def company_date_on(self, day: date) -> CompanyDate | None:
        stmt = select(CompanyDate).where(CompanyDate.day == day)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)

    async def settings(self) -> CalendarSettings | None:
        stmt = select(CalendarSettings).order_by(CalendarSettings.id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()
