"""The atendimento client against its simulator (docs/contratos/atendimento.md)."""

from __future__ import annotations

import json

import pytest

from carinho.connectors.atendimento import AtendimentoClient, Notification
from carinho.connectors.errors import ConnectorAuthError
from tests.sandbox.harness import RunningSandbox
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURE = ZAPI_FIXTURES / "received_text.json"


async def test_forward_sends_the_exact_bytes_signed(sandbox: RunningSandbox) -> None:
    raw = FIXTURE.read_bytes()
    async with AtendimentoClient(sandbox.settings) as atendimento:
        answer = await atendimento.forward_whatsapp(raw, idempotency_key="3EB0-forward")
    assert answer == {"status": "accepted"}
    [request] = sandbox.state.recorder.list("atendimento")
    assert request.path == "/atendimento/webhooks/whatsapp"
    assert request.body == json.loads(raw)
    assert request.headers["idempotency-key"] == "3EB0-forward"
    events = await sandbox.state.store.all("atendimento", "whatsapp_events")
    assert events[0]["type"] == "ReceivedCallback"


async def test_forward_with_a_wrong_secret_is_refused(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_webhook_secret="outro-segredo")
    async with AtendimentoClient(settings) as atendimento:
        with pytest.raises(ConnectorAuthError):
            await atendimento.forward_whatsapp({"type": "ReceivedCallback"})


async def test_notification(sandbox: RunningSandbox) -> None:
    async with AtendimentoClient(sandbox.settings) as atendimento:
        receipt = await atendimento.notify(
            Notification(type="emergencia", phone="5511987650101", title="Emergência", body="Queda relatada")
        )
    assert receipt.status == "recebida"
