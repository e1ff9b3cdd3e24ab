"""Module 1 end to end: the Z-API simulator's phone sends a message; the hub finds or creates the lead
in the CRM, registers the interaction, forwards the callback to atendimento, and the first contact
starts Module 2 (the lead with its origin; the greeting is atendimento's, not a second one from the
hub). Everything once, even with a failure in the middle."""

from __future__ import annotations

from typing import Any

from tests.integracoes.platform import Platform, platform  # noqa: F401

PHONE = "5511955550001"


def _types(requests: list[dict[str, Any]]) -> list[str]:
    return [r["body"]["type"] for r in requests]


async def test_a_first_whatsapp_message_reaches_the_crm_and_atendimento_and_is_greeted_once(
    platform: Platform,  # noqa: F811
) -> None:
    await platform.fault("atendimento", fail_next=1, fail_status=503)
    sent = await platform.phone_sends(PHONE, "Olá! Preciso de uma cuidadora para minha mãe.", "Rosa Maria")
    await platform.run_jobs()

    [received] = await platform.events("whatsapp.message.received")
    assert received.status == "failed" and "atendimento" in (received.last_error or "")
    await platform.retry_later()

    [received] = await platform.events("whatsapp.message.received")
    assert received.status == "processed" and received.attempts == 2
    # CRM: the lead (created once) and the interaction with the Z-API message id (once).
    [created] = await platform.accepted("crm", "POST", "/leads")
    assert created["body"] == {"phone": PHONE, "name": "Rosa Maria", "source": "whatsapp"}
    [interaction] = await platform.accepted("crm", "POST", "/interactions")
    assert interaction["body"]["external_id"] == sent["messageId"]
    assert interaction["body"]["direction"] == "inbound"
    assert interaction["body"]["summary"] == "Olá! Preciso de uma cuidadora para minha mãe."
    assert interaction["headers"]["idempotency-key"].startswith(f"evt_{received.uid}.")
    crm_key = {"X-API-Key": platform.settings.system_api_key("crm")}
    found = (await platform.box.get("/crm/api/v1/leads", params={"phone": PHONE}, headers=crm_key)).json()
    assert [(lead["name"], lead["source"]) for lead in found["data"]] == [("Rosa Maria", "whatsapp")]
    # atendimento: the original callback once (plus the refused try).
    forwarded = await platform.accepted("atendimento", "POST", "/webhooks/whatsapp")
    originals = [r for r in forwarded if r["body"]["type"] == "ReceivedCallback"]
    assert len(originals) == 1 and originals[0]["body"] == sent
    refused = [r for r in await platform.received("atendimento", "POST", "/webhooks/whatsapp") if r["fault"]]
    assert len(refused) == 1
    # Module 2 ran for the first contact: the lead has its origin, and the hub sends no welcome of its
    # own (atendimento greets a contact who wrote on WhatsApp: one greeting, not two).
    [lead_created] = await platform.events("lead.created")
    assert lead_created.source == "whatsapp" and lead_created.status == "processed"
    assert lead_created.lane == "integrations"  # not the lane of the next inbound messages
    assert await platform.whatsapp_sent(PHONE) == []

    # A second message from the same phone: a new interaction, no new lead, no second welcome.
    await platform.phone_sends(PHONE, "Ela mora em Moema.", "Rosa Maria")
    await platform.run_jobs()
    assert len(await platform.accepted("crm", "POST", "/leads")) == 1
    assert len(await platform.accepted("crm", "POST", "/interactions")) == 2
    assert await platform.whatsapp_sent(PHONE) == []
    assert len(await platform.events("lead.created")) == 1


async def test_a_crm_outage_does_not_hold_the_message_back_from_atendimento(
    platform: Platform,  # noqa: F811
) -> None:
    await platform.fault("crm", fail_next=50, fail_status=503)
    sent = await platform.phone_sends(PHONE, "Bom dia, minha mãe precisa de ajuda.", "Rosa Maria")
    await platform.run_jobs()

    [received] = await platform.events("whatsapp.message.received")
    assert received.status == "failed" and "crm" in (received.last_error or "")
    # The attendants already have it: the forward runs before the CRM steps and needs none of them.
    forwarded = await platform.accepted("atendimento", "POST", "/webhooks/whatsapp")
    assert [r["body"] for r in forwarded if r["body"]["type"] == "ReceivedCallback"] == [sent]
    assert await platform.accepted("crm", "POST", "/leads") == []

    await platform.fault("crm", fail_next=0)
    await platform.retry_later()
    [received] = await platform.events("whatsapp.message.received")
    assert received.status == "processed"
    assert len(await platform.accepted("crm", "POST", "/leads")) == 1
    # the retry resumed after the forward: atendimento got the callback once
    forwarded = await platform.accepted("atendimento", "POST", "/webhooks/whatsapp")
    assert len([r for r in forwarded if r["body"]["type"] == "ReceivedCallback"]) == 1


async def test_a_message_sent_by_the_company_is_recorded_as_outbound_and_never_answered(
    platform: Platform,  # noqa: F811
) -> None:
    callback = {
        "type": "ReceivedCallback",
        "instanceId": "X",
        "messageId": "3EB0FROMME000000001",
        "phone": "5511955550002",
        "fromMe": True,
        "isGroup": False,
        "momment": 1764331200000,
        "status": "SENT",
        "chatName": "Seu Jorge",
        "senderName": "Carinho com Você",
        "text": {"message": "Bom dia! Aqui é a equipe da Carinho."},
    }
    assert (await platform.post_zapi(callback)).status_code == 202
    await platform.run_jobs()

    [event] = await platform.events("whatsapp.message.received")
    assert event.status == "processed"
    [interaction] = await platform.accepted("crm", "POST", "/interactions")
    assert interaction["body"]["direction"] == "outbound"
    assert interaction["body"]["external_id"] == "3EB0FROMME000000001"
    [lead] = await platform.accepted("crm", "POST", "/leads")
    assert lead["body"]["name"] == "Seu Jorge"
    assert await platform.events("lead.created") == []
    assert await platform.whatsapp_sent("5511955550002") == []
    [forwarded] = await platform.accepted("atendimento", "POST", "/webhooks/whatsapp")
    assert forwarded["body"]["fromMe"] is True


async def test_group_messages_are_stored_but_not_processed(platform: Platform) -> None:  # noqa: F811
    callback = {
        "type": "ReceivedCallback",
        "messageId": "3EB0GROUP0000000001",
        "phone": "120363019502650977-group",
        "isGroup": True,
        "text": {"message": "oi grupo"},
    }
    assert (await platform.post_zapi(callback)).status_code == 202
    await platform.run_jobs()
    [event] = await platform.events("whatsapp.message.received")
    assert event.status == "ignored"
    assert await platform.received("crm") == []
