"""Module 3 end to end: `client.registered` from the CRM → welcome e-mail, welcome WhatsApp, and the
client set up in financeiro (customer and the recurring billing of its active contracts), each once
even when financeiro fails in the middle and the event is retried."""

from __future__ import annotations

from tests.integracoes.platform import Platform, platform  # noqa: F401

# The sandbox CRM's first client (seeded), with its active contract 1.
CLIENT = {
    "client_id": 1,
    "lead_id": 1,
    "name": "Maria Aparecida dos Santos",
    "phone": "5511987650101",
    "email": "maria.santos@exemplo.com.br",
    "plan": "mensal",
}


async def test_a_registered_client_is_welcomed_and_set_up_in_financeiro(platform: Platform) -> None:  # noqa: F811
    await platform.fault("financeiro", fail_next=1, fail_status=502)
    response = await platform.post_signed("/webhooks/crm/client-registered", "crm", CLIENT)
    assert response.status_code == 202, response.text
    await platform.run_jobs()
    [event] = await platform.events("client.registered")
    assert event.status == "failed" and "financeiro" in (event.last_error or "")
    await platform.retry_later()

    [event] = await platform.events("client.registered")
    assert event.status == "processed" and event.attempts == 2
    [mail] = await platform.mails("maria.santos@exemplo.com.br")
    assert mail["subject"] == "Bem-vindo(a) à Carinho com Você, Maria!"
    [welcome] = await platform.whatsapp_sent("5511987650101")
    assert welcome["body"]["message"].startswith("Olá, Maria! Seja muito bem-vindo(a) à Carinho com Você")
    [customer] = await platform.accepted("financeiro", "PUT", "/customers/1")
    assert customer["body"]["name"] == "Maria Aparecida dos Santos"
    assert customer["body"]["cpf"] == "000.001.101-00"
    assert customer["body"]["address"]["neighborhood"] == "Vila Mariana"
    [subscription] = await platform.accepted("financeiro", "PUT", "/subscriptions/1")
    assert subscription["body"] == {
        "crm_client_id": 1,
        "amount_cents": 480000,
        "billing_day": 5,
        "payment_method": "boleto",
        "starts_on": subscription["body"]["starts_on"],
        "status": "ativa",
        "description": "Contrato 1 - cuidador_diurno",
    }
    assert len(await platform.received("financeiro", "PUT", "/customers/1")) == 2  # the refused try

    # The CRM sends the webhook again (a retry of its own): a duplicate, nothing is sent twice.
    again = await platform.post_signed("/webhooks/crm/client-registered", "crm", CLIENT)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    await platform.run_jobs()
    assert len(await platform.mails("maria.santos@exemplo.com.br")) == 1
    assert len(await platform.whatsapp_sent("5511987650101")) == 1
