"""One greeting, through the whole platform: a family that writes on WhatsApp gets atendimento's
greeting only (not also the hub's lead welcome), an emergency gets the emergency answer only; a lead
from the site still gets the hub's WhatsApp welcome."""

from __future__ import annotations

import json
from pathlib import Path

from carinho.config import Settings
from carinho.kit import signatures
from tests.atendimento.conftest import CLOSED_INSTANT, OPEN_INSTANT, freeze_at
from tests.e2e.wiring import wired


async def test_a_first_whatsapp_contact_gets_one_greeting(settings: Settings, tmp_path: Path) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends("5511955556001", "Olá! Vocês têm cuidadora para minha mãe?", "Dona Rosa")
        await platform.run_jobs()
        [greeting] = await platform.phone_received("5511955556001")
        assert greeting.startswith("Olá, Rosa! Aqui é da Carinho com Você.")

        freeze_at(CLOSED_INSTANT)
        await platform.phone_sends("5511955556002", "Boa noite, preciso de uma cuidadora", "Seu Jorge")
        await platform.run_jobs()
        [greeting] = await platform.phone_received("5511955556002")
        assert greeting.startswith("Olá, Jorge! No momento estamos fora do horário de atendimento.")


async def test_an_emergency_gets_the_emergency_answer_only(settings: Settings, tmp_path: Path) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends("5511955557001", "Minha mãe caiu e não está respondendo", "Carlos")
        await platform.run_jobs()
        [answer] = await platform.phone_received("5511955557001")
        assert "emergência" in answer and "SAMU: 192" in answer


async def test_a_site_lead_still_gets_the_hubs_welcome(settings: Settings, tmp_path: Path) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        body = json.dumps({"name": "Francisca Rodrigues", "phone": "11955558001"}).encode()
        secret = platform.rt.settings.webhook_secret("site")
        async with platform.hub() as hub:
            response = await hub.post(
                "/webhooks/site/lead",
                content=body,
                headers={"Content-Type": "application/json", "Signature": signatures.hmac_hex(secret, body)},
            )
        assert response.status_code == 202, response.text
        await platform.run_jobs()
        [welcome] = await platform.phone_received("5511955558001")
        assert welcome.startswith("Olá, Francisca! Aqui é a Carinho com Você")
