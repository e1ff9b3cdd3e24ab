"""Everything one running sandbox holds: per-system faults and request logs, and the simulators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carinho.config import CARINHO_SYSTEMS, Settings
from carinho.sandbox.faults import FaultState
from carinho.sandbox.recorder import Recorder
from carinho.sandbox.systems.store import Store
from carinho.sandbox.zapi.simulator import ZapiSimulator

SIMULATED_SYSTEMS: tuple[str, ...] = ("zapi", *CARINHO_SYSTEMS)


@dataclass
class SandboxState:
    settings: Settings
    zapi: ZapiSimulator
    store: Store
    recorder: Recorder = field(default_factory=Recorder)
    faults: dict[str, FaultState] = field(
        default_factory=lambda: {name: FaultState() for name in SIMULATED_SYSTEMS}
    )
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> SandboxState:
        return cls(
            settings=settings,
            zapi=ZapiSimulator.from_settings(settings),
            store=Store(settings.carinho_data_dir / "sandbox" / "sandbox.sqlite3"),
        )
