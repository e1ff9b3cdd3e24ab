from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from carinho.atendimento.inbox.models import conversation_labels
from carinho.atendimento.labels.models import Label
from carinho.kit.repository import Repository


class LabelRepository(Repository[Label]):
    model = Label

    async def all_by_name(self) -> Sequence[Label]:
        return (await self.session.execute(select(Label).order_by(Label.name))).scalars().all()

    async def conversation_counts(self) -> dict[int, int]:
        """How many conversations carry each label (labels on none are left out)."""
        stmt = select(conversation_labels.c.label_id, func.count()).group_by(conversation_labels.c.label_id)
        return {int(label_id): int(n) for label_id, n in (await self.session.execute(stmt)).all()}

    async def id_named(self, name: str) -> int | None:
        return (await self.session.execute(select(Label.id).where(Label.name == name))).scalar_one_or_none()
