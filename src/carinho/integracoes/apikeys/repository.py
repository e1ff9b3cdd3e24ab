from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from carinho.integracoes.apikeys.models import ApiKey
from carinho.kit.repository import Repository


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    async def get_by_prefix(self, prefix: str) -> ApiKey | None:
        result = await self.session.execute(select(ApiKey).where(ApiKey.prefix == prefix))
        return result.scalar_one_or_none()

    async def list_all(self) -> Sequence[ApiKey]:
        result = await self.session.execute(select(ApiKey).order_by(ApiKey.id))
        return result.scalars().all()

    async def count_active(self) -> int:
        return await self.count(ApiKey.revoked_at.is_(None))
