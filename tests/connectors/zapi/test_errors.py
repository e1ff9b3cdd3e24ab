"""Every documented or reported Z-API error mapped to an exception that says whether to retry:
from the fixtures' bodies, and from the simulator over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from carinho.connectors.errors import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorPermanentError,
    ConnectorRateLimited,
    ConnectorTransientError,
)
from carinho.connectors.zapi.client import ZapiClient
from carinho.connectors.zapi.errors import (
    ZapiDisconnected,
    ZapiInstanceNotFound,
    ZapiIpNotAllowed,
    ZapiRejected,
    ZapiSubscriptionRequired,
    error_for_body,
)
from tests.sandbox.harness import RunningSandbox
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURES = ZAPI_FIXTURES
PHONE = "5511987654321"


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("name", "status", "expected", "retryable"),
    [
        ("error_client_token_missing.documented.json", 403, ConnectorAuthError, False),
        ("error_client_token_not_allowed.reported.json", 403, ConnectorAuthError, False),
        ("error_client_token_not_configured.reported.json", 400, ConnectorAuthError, False),
        ("error_ip_not_allowed.documented.json", 403, ZapiIpNotAllowed, False),
        ("error_subscription_required.reported.json", 400, ZapiSubscriptionRequired, False),
    ],
)
def test_fixture_error_bodies_are_classified(
    name: str, status: int, expected: type[ConnectorError], retryable: bool
) -> None:
    error = error_for_body(status, fixture(name))
    assert type(error) is expected
    assert error.retryable is retryable
    assert error.upstream_status == status


@pytest.mark.parametrize(
    ("status", "body", "expected", "retryable"),
    [
        (400, {"error": "You are not connected."}, ZapiDisconnected, True),
        (400, {"error": "You need to restore the session"}, ZapiDisconnected, True),
        (404, {"error": "Instance not found"}, ZapiInstanceNotFound, False),
        (400, {"error": "Invalid phone"}, ConnectorPermanentError, False),
        (415, "", ConnectorPermanentError, False),
        (500, {"error": "java.lang.NullPointerException"}, ConnectorTransientError, True),
        (429, {"error": "Too many requests"}, ConnectorRateLimited, True),
    ],
)
def test_other_answers_are_classified(status: int, body: object, expected: type, retryable: bool) -> None:
    error = error_for_body(status, body)
    assert type(error) is expected
    assert error.retryable is retryable


async def test_value_false_is_a_rejection_not_a_success(sandbox: RunningSandbox) -> None:
    assert fixture("value_false.reported.json") == {"value": False}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"value": False}))
    async with httpx.AsyncClient(transport=transport) as http:
        client = ZapiClient(sandbox.settings, http=http)
        with pytest.raises(ZapiRejected) as caught:
            await client.send_text(PHONE, "Olá")
        assert not caught.value.retryable
        with pytest.raises(ZapiRejected):
            await client.read_message(PHONE, "X")


async def test_a_send_answer_without_any_id_is_a_rejection(sandbox: RunningSandbox) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(ZapiRejected):
            await ZapiClient(sandbox.settings, http=http).send_text(PHONE, "Olá")


async def test_wrong_client_token_is_an_auth_error(sandbox: RunningSandbox) -> None:
    async with ZapiClient(sandbox.client_settings(zapi_client_token="Fwrong")) as client:
        with pytest.raises(ConnectorAuthError, match="Client-Token Fwrong not allowed"):
            await client.send_text(PHONE, "Olá")


async def test_missing_client_token_is_an_auth_error(sandbox: RunningSandbox) -> None:
    async with ZapiClient(sandbox.client_settings(zapi_client_token="")) as client:
        with pytest.raises(ConnectorAuthError, match="null not allowed"):
            await client.status()


async def test_unknown_instance_is_an_auth_error(sandbox: RunningSandbox) -> None:
    async with ZapiClient(sandbox.client_settings(zapi_instance_id="0" * 32)) as client:
        with pytest.raises(ZapiInstanceNotFound) as caught:
            await client.send_text(PHONE, "Olá")
    assert not caught.value.retryable


async def test_ip_not_in_allow_list(sandbox: RunningSandbox) -> None:
    sandbox.state.zapi.allowed_ips = ["203.0.113.10"]
    async with ZapiClient(sandbox.settings) as client:
        with pytest.raises(ZapiIpNotAllowed, match=r"127\.0\.0\.1 not allowed"):
            await client.send_text(PHONE, "Olá")


async def test_expired_subscription(sandbox: RunningSandbox) -> None:
    sandbox.state.zapi.subscription_expired = True
    async with ZapiClient(sandbox.settings) as client:
        with pytest.raises(ZapiSubscriptionRequired):
            await client.status()


async def test_disconnected_instance_queues_by_default_and_delivers_on_reconnect(
    sandbox: RunningSandbox,
) -> None:
    sim = sandbox.state.zapi
    sim.connected = False
    async with ZapiClient(sandbox.settings) as client:
        result = await client.send_text(PHONE, "Olá")
    assert sim.sent[-1].message_id == result.message_id
    assert sim.sent[-1].status == "PENDING"
    sim.reconnect()
    await sim.idle()
    assert sim.sent[-1].status == "READ"


async def test_disconnected_instance_with_enqueue_disabled_is_transient(sandbox: RunningSandbox) -> None:
    async with ZapiClient(sandbox.settings) as client:
        await client.http.put(
            f"{client.base_url}/update-queue-settings",
            json={"disableEnqueueWhenDisconnected": True},
            headers={"Client-Token": sandbox.settings.zapi_client_token.get_secret_value()},
        )
        sandbox.state.zapi.connected = False
        with pytest.raises(ZapiDisconnected) as caught:
            await client.send_text(PHONE, "Olá")
    assert caught.value.retryable
