"""The Z-API client against the Z-API simulator over a real socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from carinho.connectors.errors import ConnectorAuthError, ConnectorPermanentError
from carinho.connectors.zapi.client import ZapiClient
from carinho.connectors.zapi.errors import ZapiRejected
from carinho.connectors.zapi.schemas import ButtonAction, OptionList
from tests.sandbox.harness import RunningSandbox, WebhookReceiver
from tests.support.fixtures import ZAPI_FIXTURES

PHONE = "5511987654321"


@pytest.fixture
async def zapi(sandbox: RunningSandbox) -> AsyncIterator[ZapiClient]:
    async with ZapiClient(sandbox.settings) as client:
        yield client


def last_sent(sandbox: RunningSandbox) -> dict:
    return sandbox.state.zapi.sent[-1].view()


async def test_send_text_returns_the_ids_and_the_simulator_records_the_message(
    zapi: ZapiClient, sandbox: RunningSandbox
) -> None:
    result = await zapi.send_text(
        "(11) 98765-4321", "Olá! Aqui é a Carinho.", delay_message=40, delay_typing=2
    )

    assert result.message_id and result.zaap_id and result.id == result.message_id
    assert not result.skipped
    sent = last_sent(sandbox)
    assert sent["endpoint"] == "send-text"
    assert sent["messageId"] == result.message_id
    assert sent["body"] == {
        "phone": PHONE,
        "message": "Olá! Aqui é a Carinho.",
        "delayMessage": 15,
        "delayTyping": 2,
    }
    request = sandbox.state.recorder.list("zapi")[-1]
    assert request.headers["client-token"] == sandbox.settings.zapi_client_token.get_secret_value()
    assert request.headers["content-type"] == "application/json"
    assert "/token/***/send-text" in request.path


async def test_send_image_and_document_use_z_api_paths_and_fields(
    zapi: ZapiClient, sandbox: RunningSandbox
) -> None:
    image = await zapi.send_image(PHONE, "https://carinho.com.vc/logo.png", caption="Nosso logo")
    assert image.message_id
    assert last_sent(sandbox)["body"] == {
        "phone": PHONE,
        "image": "https://carinho.com.vc/logo.png",
        "caption": "Nosso logo",
    }

    document = await zapi.send_document(
        PHONE, "data:application/pdf;base64,JVBERi0=", ".PDF", file_name="Proposta Carinho"
    )
    assert document.message_id
    sent = last_sent(sandbox)
    assert sent["endpoint"] == "send-document"
    assert sandbox.state.recorder.list("zapi")[-1].path.endswith("/send-document/pdf")
    assert sent["body"]["fileName"] == "Proposta Carinho"


async def test_send_link_appends_the_url_z_api_requires_at_the_end(
    zapi: ZapiClient, sandbox: RunningSandbox
) -> None:
    result = await zapi.send_link(
        PHONE,
        "Conheça nossos serviços",
        image="https://carinho.com.vc/capa.png",
        link_url="https://carinho.com.vc",
        title="Carinho com Você",
        link_description="Cuidadores de idosos em São Paulo",
    )
    assert result.message_id
    body = last_sent(sandbox)["body"]
    assert body["message"] == "Conheça nossos serviços https://carinho.com.vc"
    assert body["linkUrl"] == "https://carinho.com.vc"


async def test_buttons_and_option_lists(zapi: ZapiClient, sandbox: RunningSandbox) -> None:
    await zapi.send_button_list(PHONE, "Podemos confirmar?", [{"id": "1", "label": "Sim"}, {"label": "Não"}])
    assert last_sent(sandbox)["body"]["buttonList"] == {
        "buttons": [{"id": "1", "label": "Sim"}, {"label": "Não"}]
    }

    await zapi.send_button_actions(
        PHONE,
        "Fale com a gente",
        [
            ButtonAction(type="CALL", label="Ligar", phone="551140028922"),
            ButtonAction(type="URL", label="Site", url="https://carinho.com.vc"),
        ],
        title="Carinho",
    )
    assert [b["type"] for b in last_sent(sandbox)["body"]["buttonActions"]] == ["CALL", "URL"]

    await zapi.send_option_list(
        PHONE,
        "Qual período?",
        OptionList(title="Períodos", button_label="Escolher", options=[{"id": "m", "title": "Manhã"}]),
    )
    assert last_sent(sandbox)["body"]["optionList"] == {
        "title": "Períodos",
        "buttonLabel": "Escolher",
        "options": [{"id": "m", "title": "Manhã"}],
    }


async def test_mixing_reply_with_call_buttons_is_refused_before_sending(
    zapi: ZapiClient, sandbox: RunningSandbox
) -> None:
    with pytest.raises(ZapiRejected):
        await zapi.send_button_actions(
            PHONE,
            "x",
            [{"type": "REPLY", "label": "Sim"}, {"type": "URL", "label": "Site", "url": "https://a.b"}],
        )
    assert not sandbox.state.zapi.sent


async def test_read_message_accepts_204(zapi: ZapiClient, sandbox: RunningSandbox) -> None:
    assert await zapi.read_message(PHONE, "3EB0ABCDEF") is None
    assert sandbox.state.recorder.list("zapi")[-1].status == 204


@pytest.mark.parametrize("form", ["object", "array"])
async def test_phone_exists_in_both_documented_shapes(
    zapi: ZapiClient, sandbox: RunningSandbox, form: str
) -> None:
    sandbox.state.zapi.phone_exists_form = form
    assert await zapi.phone_exists(PHONE) is True
    assert await zapi.phone_exists("5511987650000") is False
    checked = await zapi.check_phone(PHONE)
    assert checked.phone == PHONE and checked.lid and checked.lid.endswith("@lid")


async def test_status_connected_and_disconnected(zapi: ZapiClient, sandbox: RunningSandbox) -> None:
    status = await zapi.status()
    assert status.connected and status.smartphone_connected

    sandbox.state.zapi.connected = False
    status = await zapi.status()
    assert not status.connected
    assert status.error == "You are not connected."


async def test_disabled_zapi_is_a_recorded_no_op(sandbox: RunningSandbox) -> None:
    async with ZapiClient(sandbox.client_settings(zapi_enabled=False)) as client:
        result = await client.send_text(PHONE, "não vai")
        await client.read_message(PHONE, "X")
        assert await client.phone_exists(PHONE) is True
        assert not (await client.status()).connected

    assert result.skipped and result.message_id is None
    assert not sandbox.state.recorder.list("zapi")


async def test_a_sent_message_travels_delivery_then_sent_received_read(
    zapi: ZapiClient, sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    result = await zapi.send_text(PHONE, "Olá")

    def about(p: dict) -> bool:
        return p.get("messageId") == result.message_id or result.message_id in p.get("ids", [])

    await receiver.wait_for(lambda p: about(p) and p.get("status") == "READ")
    kinds = [(p["type"], p.get("status")) for p in receiver.received if about(p)]
    assert kinds == [
        ("DeliveryCallback", None),
        ("MessageStatusCallback", "SENT"),
        ("MessageStatusCallback", "RECEIVED"),
        ("MessageStatusCallback", "READ"),
    ]
    assert sandbox.state.zapi.sent[-1].status == "READ"


async def test_a_number_without_whatsapp_gets_a_delivery_error(
    zapi: ZapiClient, receiver: WebhookReceiver
) -> None:
    result = await zapi.send_text("5511987650000", "Olá")
    [delivery] = await receiver.wait_for(lambda p: p.get("messageId") == result.message_id)
    assert delivery["type"] == "DeliveryCallback"
    assert delivery["error"] == "Phone number does not exist"


async def test_invalid_phone_is_permanent(zapi: ZapiClient) -> None:
    with pytest.raises(ConnectorPermanentError) as caught:
        await zapi.send_text("abc", "Olá")
    assert not caught.value.retryable
    assert not isinstance(caught.value, ConnectorAuthError)


async def test_option_lists_in_z_api_s_own_shape_are_sent_as_documented(
    zapi: ZapiClient, sandbox: RunningSandbox
) -> None:
    """The option list of Z-API's documentation (`buttonLabel`), as a dict or parsed, goes out as is."""
    documented = json.loads((ZAPI_FIXTURES / "send_option_list.request.json").read_text(encoding="utf-8"))
    await zapi.send_option_list(documented["phone"], documented["message"], documented["optionList"])
    assert last_sent(sandbox)["body"] == documented

    parsed = OptionList.model_validate(documented["optionList"])
    assert parsed.button_label == "Open option list"
    await zapi.send_option_list(PHONE, "Qual período?", parsed)
    assert last_sent(sandbox)["body"]["optionList"] == documented["optionList"]
