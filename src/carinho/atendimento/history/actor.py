"""Who did something: an agent, an automation or the system (or the contact, for inbound events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from carinho.atendimento.history.models import ActorType

if TYPE_CHECKING:
    from carinho.atendimento.agents.models import Agent


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: int | None = None
    name: str = ""

    @classmethod
    def of(cls, agent: Agent) -> Actor:
        return cls(ActorType.agent, agent.id, agent.name)

    @classmethod
    def automation(cls, name: str) -> Actor:
        return cls(ActorType.automation, None, name)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorType.system, None, "sistema")

    @classmethod
    def cli(cls) -> Actor:
        """Someone at the `carinho` command line (no account behind it)."""
        return cls(ActorType.system, None, "cli")

    @classmethod
    def contact(cls) -> Actor:
        return cls(ActorType.contact, None, "contato")

    @property
    def agent_id(self) -> int | None:
        return self.id if self.type is ActorType.agent else None
