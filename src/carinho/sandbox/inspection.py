"""`/_sandbox/<system>/requests` and `/_sandbox/<system>/faults`: what each simulated system received,
and the faults it will inject next."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from carinho.errors import NotFound
from carinho.sandbox.faults import FaultSettings, FaultState

router = APIRouter(prefix="/_sandbox", tags=["sandbox"])


def _faults(request: Request, system: str) -> FaultState:
    faults: dict[str, FaultState] = request.app.state.sandbox.faults
    if system not in faults:
        raise NotFound(f"unknown system {system!r}; one of: {', '.join(faults)}")
    return faults[system]


@router.get("/systems")
async def systems(request: Request) -> list[dict[str, Any]]:
    sandbox = request.app.state.sandbox
    return [
        {
            "system": name,
            "requests": len(sandbox.recorder.list(name)),
            "faults": state.view(),
            "faulty": state.active,
        }
        for name, state in sandbox.faults.items()
    ]


@router.get("/{system}/requests")
async def received(request: Request, system: str, limit: int = 200) -> list[dict[str, Any]]:
    """What the system received, newest first."""
    _faults(request, system)
    items = request.app.state.sandbox.recorder.list(system)
    return [r.view() for r in reversed(items[-limit:])]


@router.delete("/{system}/requests", status_code=204)
async def forget(request: Request, system: str) -> None:
    _faults(request, system)
    request.app.state.sandbox.recorder.clear(system)


@router.get("/{system}/faults")
async def get_faults(request: Request, system: str) -> dict[str, Any]:
    return _faults(request, system).view()


@router.put("/{system}/faults")
async def set_faults(request: Request, system: str, change: FaultSettings) -> dict[str, Any]:
    state = _faults(request, system)
    state.update(change)
    return state.view()


@router.delete("/{system}/faults")
async def clear_faults(request: Request, system: str) -> dict[str, Any]:
    state = _faults(request, system)
    state.clear()
    return state.view()
