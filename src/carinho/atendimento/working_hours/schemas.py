from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

Minute = int


class IntervalIn(BaseModel):
    start: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["08:00"])
    end: str = Field(pattern=r"^(\d{2}:\d{2})$", examples=["12:00"], description="24:00 para meia-noite")


class DayIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = segunda-feira … 6 = domingo")
    intervals: list[IntervalIn] = Field(default_factory=list, max_length=12)


class WeeklyIn(BaseModel):
    days: list[DayIn] = Field(max_length=7)


class DayOut(BaseModel):
    weekday: int
    weekday_label: str
    intervals: list[IntervalIn]


class CompanyDateIn(BaseModel):
    day: date
    kind: str = Field(pattern=r"^(closed|special_hours)$")
    intervals: list[IntervalIn] = Field(default_factory=list, max_length=12)
    description: str = Field(default="", max_length=160)


class CompanyDateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    kind: str
    intervals: list[IntervalIn]
    description: str


class CalendarSettingsIn(BaseModel):
    state: str | None = Field(default="SP", min_length=2, max_length=2)
    city: str | None = Field(default=None, max_length=64, examples=["São Paulo Capital"])
    optional_holidays: list[str] = Field(default_factory=list, examples=[["Carnaval"]])


class CalendarSettingsOut(BaseModel):
    timezone: str
    state: str | None
    city: str | None
    optional_holidays: list[str]


class HolidayOut(BaseModel):
    day: date
    name: str


class StatusOut(BaseModel):
    at: datetime
    open_now: bool
    next_opening: datetime | None
    next_opening_text: str


class AddMinutesOut(BaseModel):
    start: datetime
    minutes: float
    result: datetime


class BetweenOut(BaseModel):
    start: datetime
    end: datetime
    business_minutes: float
