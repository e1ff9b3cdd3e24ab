"""API keys look like `ck_<prefix>_<secret>`; only the SHA-256 of the whole key is stored.

The keys are 190+ bits of randomness, so a fast hash is enough (argon2 is for human passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import NotFound, Unauthorized
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.apikeys.repository import ApiKeyRepository
from carinho.kit.clock import utcnow

KEY_PREFIX = "ck_"
# `last_used_at` is written at most once per this interval per key, so a busy key costs no extra writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _split(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    return prefix if sep and prefix and secret else None


def new_plaintext() -> str:
    return f"{KEY_PREFIX}{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


class ApiKeyService:
    async def create(self, session: AsyncSession, name: str) -> tuple[ApiKey, str]:
        """Returns the stored key and its plaintext, which is never retrievable again."""
        plaintext = new_plaintext()
        return await self.register(session, name, plaintext), plaintext

    async def register(self, session: AsyncSession, name: str, plaintext: str) -> ApiKey:
        """Store a key generated elsewhere (by `new_plaintext`), unless its prefix is known already:
        `carinho up` keeps atendimento's key to the hub in its secrets file."""
        prefix = _split(plaintext)
        if prefix is None:
            raise ValueError("not an API key of this hub")
        repo = ApiKeyRepository(session)
        existing = await repo.get_by_prefix(prefix)
        if existing is not None:
            return existing
        key = repo.add(ApiKey(name=name, prefix=prefix, key_hash=_hash(plaintext)))
        await session.flush()
        return key

    async def authenticate(self, session: AsyncSession, plaintext: str | None) -> ApiKey:
        prefix = _split(plaintext or "")
        if prefix is None:
            raise Unauthorized("missing or malformed X-API-Key header")
        key = await ApiKeyRepository(session).get_by_prefix(prefix)
        if key is None or not key.active or not hmac.compare_digest(key.key_hash, _hash(plaintext or "")):
            raise Unauthorized("invalid or revoked API key")
        return key

    def touch(self, key: ApiKey) -> None:
        """Record the use (committed with the request's session)."""
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            key.last_used_at = now

    async def list(self, session: AsyncSession) -> Sequence[ApiKey]:
        return await ApiKeyRepository(session).list_all()

    async def revoke(self, session: AsyncSession, key_id_or_prefix: str) -> ApiKey:
        repo = ApiKeyRepository(session)
        key = (
            await repo.get(int(key_id_or_prefix))
            if key_id_or_prefix.isdigit()
            else await repo.get_by_prefix(key_id_or_prefix.removeprefix(KEY_PREFIX).split("_")[0])
        )
        if key is None:
            raise NotFound(f"API key {key_id_or_prefix!r} not found")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
        return key

    async def has_active(self, session: AsyncSession) -> bool:
        return await ApiKeyRepository(session).count_active() > 0


api_key_service = ApiKeyService()
