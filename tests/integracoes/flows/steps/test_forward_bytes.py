"""The hub forwards each Z-API callback to atendimento as the exact bytes Z-API sent (the contract,
docs/contratos/atendimento.md): escapes, key order, spacing and encoding untouched, whether payloads
are encrypted at rest or not, through the webhook's fast ingest path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from carinho import runtime
from carinho.integracoes.app import create_app
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.mappings.service import mapping_service
from carinho.kit import clock
from carinho.kit.crypto import new_key
from carinho.kit.signatures import verify_hmac_hex
from carinho.runtime import DatabaseCache, Runtime
from carinho.sandbox.serving import serve_app
from tests.conftest import asgi_client
from tests.integracoes.platform import ZAPI_SECRET, hub_settings
from tests.sandbox.harness import running_sandbox, sandbox_settings
from tests.support.jobs import drain

# As a Java or PHP sender writes them: non-ASCII and "/" escaped, an emoji as a surrogate pair, the
# type last, spaces and a newline, a float with an exponent and a trailing zero.
RECEIVED = (
    b'{"instanceId": "3C0000000000000000000000000000AA", "messageId":"3EB0BYTES000000000001",\n'
    b' "phone":"5511955550031","fromMe":false,"momment":1.7643312E12,"status":"RECEIVED",'
    b'"chatName":"Jos\\u00e9 Ant\\u00f4nio","senderName":"Jos\\u00e9 Ant\\u00f4nio",'
    b'"photo":"https:\\/\\/pps.whatsapp.net\\/v\\/a.jpg","isGroup":false,'
    b'"text":{"message":"Ol\\u00e1! Voc\\u00eas t\\u00eam cuidadora? \\ud83d\\udc9c 1.0"},'
    b'"type":"ReceivedCallback"}'
)
STATUS = (
    b'{"status":"READ","ids":["3EB0BYTES000000000002"],"momment":1764331200000,'
    b'"phone":"5511955550031","type":"MessageStatusCallback","instanceId":"X","note":"cora\\u00e7\\u00e3o"}'
)
DELIVERY = (
    '{"phone": "5511955550031", "zaapId": "Z1", "messageId": "3EB0BYTES000000000003", '
    '"type": "DeliveryCallback", "momment": 1764331200000, "instanceId": "X", '
    '"error": "Phone number does not exist — número sem WhatsApp"}'
).encode()
# RFC 4627 JSON may come in UTF-16: kept (in base64) and forwarded just the same.
DELIVERY_UTF16 = (
    '{"type":"DeliveryCallback","messageId":"3EB0BYTES000000000004","phone":"5511955550031",'
    '"momment":1764331200000,"instanceId":"X"}'
).encode("utf-16")


@dataclass
class Capture:
    """Stands in for atendimento's /webhooks/whatsapp: keeps the bytes and headers it got."""

    bodies: list[bytes] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.bodies.append(b"".join(chunks))
        headers = dict(scope["headers"])
        self.signatures.append(headers.get(b"x-signature", b"").decode())
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b'{"status":"accepted"}'})


@asynccontextmanager
async def forwarding_hub(
    emptied: Runtime, shared_databases: DatabaseCache, tmp_path: Path, **overrides: object
) -> AsyncIterator[tuple[httpx.AsyncClient, Capture]]:
    """The hub on `emptied`'s databases (the `rt` fixture's), forwarding to a capturing atendimento."""
    capture = Capture()
    config = sandbox_settings(tmp_path / "sandbox", zapi_webhook_secret=ZAPI_SECRET)
    async with running_sandbox(config) as sandbox, serve_app(capture) as capture_url:
        configured = hub_settings(emptied.settings, sandbox, carinho_atendimento_url=capture_url, **overrides)
        rt = runtime.configure(configured, databases=shared_databases)
        async with rt.db("integracoes").session() as session:
            await mapping_service.seed_defaults(session)
            await session.commit()
        try:
            async with asgi_client(create_app(rt), "http://integracoes.test") as hub:
                yield hub, capture
        finally:
            clock.reset()


async def _post(hub: httpx.AsyncClient, body: bytes) -> None:
    response = await hub.post(
        "/webhooks/whatsapp",
        params={"token": ZAPI_SECRET},
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_every_forwarded_callback_is_the_bytes_zapi_sent(
    rt: Runtime, shared_databases: DatabaseCache, tmp_path: Path, encrypted: bool
) -> None:
    keys = new_key() if encrypted else ""
    hub_with = forwarding_hub(rt, shared_databases, tmp_path, payload_encryption_keys=keys)
    async with hub_with as (hub, capture):
        for body in (RECEIVED, STATUS, DELIVERY, DELIVERY_UTF16):
            await _post(hub, body)
        rt = runtime.current()
        await drain(rt, ("integracoes",))

        assert sorted(capture.bodies) == sorted([RECEIVED, STATUS, DELIVERY, DELIVERY_UTF16])
        for body, signature in zip(capture.bodies, capture.signatures, strict=True):
            assert verify_hmac_hex(ZAPI_SECRET, body, signature)
        async with rt.db("integracoes").session() as session:
            stored = (
                (
                    await session.execute(
                        select(IntegrationEvent.raw_body).where(IntegrationEvent.source == "zapi")
                    )
                )
                .scalars()
                .all()
            )
        assert len(stored) == 4
        assert all(value is not None and value.startswith("enc:") == encrypted for value in stored)
        if encrypted:  # nothing personal in clear at rest
            assert not any("5511955550031" in value for value in stored if value)


async def test_a_custom_atendimento_mapping_is_forwarded_as_its_json(
    rt: Runtime, shared_databases: DatabaseCache, tmp_path: Path
) -> None:
    """Only the default (`raw`) forwards the bytes; a mapping that builds something else is sent as
    the JSON it built."""
    from carinho.integracoes.mappings.schemas import MappingCreate

    async with forwarding_hub(rt, shared_databases, tmp_path) as (hub, capture):
        rt = runtime.current()
        async with rt.db("integracoes").session() as session:
            await mapping_service.create_version(
                session,
                MappingCreate(
                    event_type="whatsapp.message.status",
                    target_system="atendimento",
                    spec="{type: raw.type, ids: raw.ids, status: raw.status}",
                ),
            )
            await session.commit()
        await _post(hub, STATUS)
        await drain(rt, ("integracoes",))
        assert capture.bodies == [
            b'{"type": "MessageStatusCallback", "ids": ["3EB0BYTES000000000002"], "status": "READ"}'
        ]
