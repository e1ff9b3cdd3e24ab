from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import IdMixin, TimestampMixin


class WeeklyInterval(IdMixin, TimestampMixin, Base):
    """One opening interval of a weekday (0 = Monday), in minutes since local midnight, [start, end)."""

    __tablename__ = "working_hours_intervals"

    weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    start_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    end_minute: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_working_hours_intervals_weekday", "weekday"),)


class CompanyDate(IdMixin, TimestampMixin, Base):
    """A company closure (no intervals) or special hours for one local date; wins over holidays."""

    __tablename__ = "working_hours_company_dates"

    day: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # closed | special_hours
    intervals: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    description: Mapped[str] = mapped_column(String(160), nullable=False, default="")


class CalendarSettings(IdMixin, TimestampMixin, Base):
    """The one calendar's holiday configuration (a single row)."""

    __tablename__ = "working_hours_calendar"

    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="America/Sao_Paulo")
    state: Mapped[str | None] = mapped_column(String(2), nullable=True, default="SP")
    # A city the `holidays` package knows as a subdivision (e.g. "São Paulo Capital"); it includes
    # the state's holidays. Other cities' holidays are company dates.
    city: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Names of optional holidays that close the company, e.g. ["Carnaval", "Corpus Christi"].
    optional_holidays: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
