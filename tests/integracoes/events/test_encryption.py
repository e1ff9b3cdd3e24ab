"""Payloads encrypted at rest: `enc:` in the column, clear through the API; key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.app import create_app
from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit.crypto import PayloadCipher, PayloadDecryptionError
from carinho.runtime import Runtime
from tests.conftest import asgi_client
from tests.integracoes.events.test_events_api import new_key
from tests.integracoes.webhooks.support import post_signed


def test_cipher_round_trip_rotation_and_plain_passthrough() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = PayloadCipher([old])
    stored = before.encrypt('{"nome":"João"}')
    assert stored.startswith("enc:") and "João" not in stored

    rotated_cipher = PayloadCipher([new, old])
    assert rotated_cipher.decrypt(stored) == '{"nome":"João"}'
    rotated = rotated_cipher.rotate(stored)
    assert PayloadCipher([new]).decrypt(rotated) == '{"nome":"João"}'
    with pytest.raises(PayloadDecryptionError):
        PayloadCipher([new]).decrypt(stored)
    with pytest.raises(PayloadDecryptionError):
        PayloadCipher([]).decrypt(stored)
    assert PayloadCipher([]).encrypt("plain") == "plain"
    assert rotated_cipher.decrypt('{"a":1}') == '{"a":1}'  # rows written before encryption was on


async def test_webhook_payload_is_encrypted_at_rest(settings: Settings, rt: Runtime) -> None:
    key = Fernet.generate_key().decode()
    configured = runtime.configure(settings.with_overrides(payload_encryption_keys=SecretStr(key)))
    try:
        async with asgi_client(create_app(configured), "http://integracoes.test") as client:
            response = await post_signed(
                client,
                "/webhooks/site/lead",
                settings.webhook_secret("site"),
                {"name": "Maria Souza", "phone": "11912345678"},
            )
            assert response.status_code == 202
            async with configured.db("integracoes").session() as session:
                stored = (await session.execute(select(IntegrationEvent.payload))).scalar_one()
            assert stored.startswith("enc:")
            assert "Maria" not in stored and "11912345678" not in stored
            api_key = await new_key(configured)
            detail = await client.get(
                f"/api/events/{response.json()['event_id']}", headers={"X-API-Key": api_key}
            )
            assert detail.json()["payload"]["name"] == "Maria Souza"
    finally:
        for db in configured.databases.values():
            await db.dispose()
