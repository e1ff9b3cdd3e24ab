"""Every Z-API fixture: requests are accepted by the simulator, responses parse, and the callbacks the
simulator emits carry the fixtures' keys."""

from __future__ import annotations

import json

import httpx
import pytest

from carinho.connectors.zapi.schemas import InstanceStatus, PhoneExists, SendResult
from carinho.sandbox.zapi import payloads
from tests.sandbox.harness import RunningSandbox
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURES = ZAPI_FIXTURES


def load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


SEND_FIXTURES = {
    "send_text": "send-text",
    "send_image": "send-image",
    "send_document": "send-document/pdf",
    "send_link": "send-link",
    "send_button_list": "send-button-list",
    "send_button_actions": "send-button-actions",
    "send_option_list": "send-option-list",
    "send_audio": "send-audio",
}


@pytest.mark.parametrize(
    "request_file",
    sorted(p.name for p in FIXTURES.glob("send_*.request*.json")),
)
async def test_every_documented_send_request_is_accepted(sandbox: RunningSandbox, request_file: str) -> None:
    endpoint = SEND_FIXTURES[request_file.split(".")[0]]
    settings = sandbox.settings
    url = (
        f"{settings.zapi_base_url}/instances/{settings.zapi_instance_id}/token/"
        f"{settings.zapi_token.get_secret_value()}/{endpoint}"
    )
    headers = {"Client-Token": settings.zapi_client_token.get_secret_value()}
    async with httpx.AsyncClient() as http:
        response = await http.post(url, json=load(request_file), headers=headers)
    assert response.status_code == 200, response.text
    result = SendResult.from_response(response.json())
    assert result.message_id == response.json()["messageId"]


@pytest.mark.parametrize("response_file", sorted(p.name for p in FIXTURES.glob("send_*.response.json")))
def test_every_send_response_parses(response_file: str) -> None:
    body = load(response_file)
    assert isinstance(body, dict)
    result = SendResult.from_response(body)
    assert result.zaap_id == body["zaapId"]
    assert result.message_id == body["messageId"]


def test_send_response_without_id_field_parses() -> None:
    result = SendResult.from_response({"zaapId": "Z", "messageId": "M"})
    assert (result.zaap_id, result.message_id, result.id) == ("Z", "M", None)


def test_status_responses_parse() -> None:
    connected = InstanceStatus.from_response(load("status.response.json"))  # type: ignore[arg-type]
    assert connected.connected and connected.smartphone_connected
    disconnected = InstanceStatus.from_response(load("status.response.disconnected.observed.json"))  # type: ignore[arg-type]
    assert not disconnected.connected
    assert disconnected.session is False and disconnected.created == 1765895191567
    assert InstanceStatus.from_response(
        {"connected": False, "error": "You need to restore the session"}
    ).needs_restore


def test_phone_exists_array_and_object_forms_parse() -> None:
    array = PhoneExists.from_response(load("phone_exists.response.json"))
    assert (array.exists, array.phone, array.lid) == (True, "5544999999999", "999999999@lid")
    obj = PhoneExists.from_response(load("phone_exists.response.object_form.chatwoot_stub.json"))
    assert (obj.exists, obj.phone) == (True, "123456789")
    batch = load("phone_exists_batch.response.json")
    assert isinstance(batch, list)
    assert PhoneExists.from_response(batch).exists == batch[0]["exists"]
    assert PhoneExists.from_response([]).exists is False


def test_config_fixtures_match_the_simulator_endpoints() -> None:
    assert load("update_webhook.response.json") == {"value": True}
    assert set(load("update_every_webhooks.request.json")) == {"value", "notifySentByMe"}  # type: ignore[arg-type]
    assert load("read_message.response.json") == {}


def keys(name: str) -> set[str]:
    body = load(name)
    assert isinstance(body, dict)
    return set(body)


def test_simulated_received_callback_has_the_documented_keys() -> None:
    common = dict(instance_id="I", connected_phone="5511940028922", phone="5511987654321", sender_name="Ana")
    text = payloads.received_callback(
        **common, text="Oi", media=None, caption=None, media_base_url="http://x"
    )
    # Observed traffic carries chatLid where the docs show senderLid (zapi.md §2.2).
    documented = keys("received_text.json") - {"senderLid", "participantPhone"}
    assert documented <= set(text)
    assert set(text["text"]) == {"message"}
    image = payloads.received_callback(
        **common, text=None, media="image", caption="c", media_base_url="http://x"
    )
    assert set(load("received_image.json")["image"]) - {"downloadError"} <= set(image["image"])  # type: ignore[index]
    document = payloads.received_callback(
        **common, text=None, media="document", caption=None, media_base_url="http://x"
    )
    assert set(load("received_document.json")["document"]) <= set(document["document"])  # type: ignore[index]
    audio = payloads.received_callback(
        **common, text=None, media="audio", caption=None, media_base_url="http://x"
    )
    assert set(load("received_audio.json")["audio"]) <= set(audio["audio"])  # type: ignore[index]


def test_simulated_status_and_delivery_callbacks_have_the_documented_keys() -> None:
    status = payloads.message_status_callback(
        instance_id="I", phone="5511987654321", status="READ", ids=["M"]
    )
    assert keys("message_status.json") == set(status)
    delivery = payloads.delivery_callback(instance_id="I", phone="5511987654321", message_id="M", zaap_id="Z")
    assert keys("delivery.json") == set(delivery)
    failed = payloads.delivery_callback(
        instance_id="I",
        phone="5511987654321",
        message_id="M",
        zaap_id="Z",
        error="Phone number does not exist",
    )
    assert keys("delivery_error.json") == set(failed)
    assert keys("connected.json") <= set(payloads.connected_callback(instance_id="I", phone="5511"))
    assert keys("disconnected.json") == set(payloads.disconnected_callback(instance_id="I"))
