from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from carinho.atendimento.history.service import ACTION_LABELS


class HistoryEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int | None
    action: str
    actor_type: str
    actor_id: int | None
    actor_name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: dict[str, Any] | None
    request_id: str | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
