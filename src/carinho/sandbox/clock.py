"""`/_sandbox/clock`: move the platform's clock (kit.clock) for demos of time-based behaviour — SLA
at-risk and breach, reminders, retention — without waiting. It only affects the processes that run the
sandbox in-process (`carinho up`), and is refused in production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from carinho.config import Environment
from carinho.errors import BadRequest, Forbidden
from carinho.kit import clock

router = APIRouter(prefix="/_sandbox/clock", tags=["sandbox"])

MAX_SHIFT = timedelta(days=3650)


class ClockView(BaseModel):
    now: datetime
    offset_seconds: float


class ClockChange(BaseModel):
    """Either an absolute instant or a shift from the clock's current time."""

    now: AwareDatetime | None = Field(default=None, examples=["2026-12-01T13:00:00Z"])
    advance_minutes: float | None = Field(
        default=None, ge=-MAX_SHIFT.total_seconds() / 60, le=MAX_SHIFT.total_seconds() / 60
    )

    @model_validator(mode="after")
    def one_of(self) -> ClockChange:
        if (self.now is None) == (self.advance_minutes is None):
            raise ValueError("give either now or advance_minutes")
        return self


def _view() -> ClockView:
    now = clock.utcnow()
    return ClockView(now=now, offset_seconds=round((now - datetime.now(UTC)).total_seconds(), 3))


def _allowed(request: Request) -> None:
    if request.app.state.sandbox.settings.carinho_env is Environment.production:
        raise Forbidden("o relógio do sandbox não pode ser alterado em produção")


@router.get("")
async def read_clock() -> ClockView:
    return _view()


@router.put("")
async def move_clock(request: Request, change: ClockChange) -> ClockView:
    _allowed(request)
    real_now = datetime.now(UTC)
    target = (
        change.now
        if change.now is not None
        else clock.utcnow() + timedelta(minutes=change.advance_minutes or 0)
    )
    if abs(target - real_now) > MAX_SHIFT:
        raise BadRequest("o relógio só pode ser deslocado em até 10 anos")
    clock.set_offset(target - real_now)
    return _view()


@router.delete("")
async def reset_clock(request: Request) -> ClockView:
    _allowed(request)
    clock.reset()
    return _view()
