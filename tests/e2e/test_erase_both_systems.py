"""Erase means erased in both systems (issue 15, item 8): a family writes on WhatsApp (Z-API → hub →
atendimento), an administrator erases the person in atendimento, the erasure reaches the hub through
its connector (retried until the hub confirms), and neither system's API shows the phone, the name
or the text any more — the hub's raw bodies included."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.config import Settings
from carinho.integracoes.events.models import IntegrationEvent
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at
from tests.e2e.wiring import Wired, wired

PHONE = "5511955559001"
NAME = "Rosalinda Figueiredo"
TEXT = "Minha mãe tem Alzheimer e mora na Rua das Hortênsias 45"


def _clean(text: str) -> bool:
    return (
        PHONE not in text and PHONE[-8:] not in text and "Rosalinda" not in text and "Hortênsias" not in text
    )


async def _hub_events(platform: Wired) -> list[dict]:
    async with platform.hub() as hub:
        headers = {"X-API-Key": platform.hub_key}
        page = (await hub.get("/api/events", params={"limit": 200}, headers=headers)).json()
        return [(await hub.get(f"/api/events/{e['id']}", headers=headers)).json() for e in page["items"]]


async def _hub_events_of_contact(platform: Wired) -> list[dict]:
    async with platform.hub() as hub:
        headers = {"X-API-Key": platform.hub_key}
        page = await hub.get("/api/events", params={"contact": PHONE}, headers=headers)
        assert page.status_code == 200, page.text
        return page.json()["items"]


async def test_an_erase_in_atendimento_leaves_no_trace_in_either_api(
    settings: Settings, tmp_path: Path
) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends(PHONE, TEXT, NAME)
        await platform.run_jobs()
        admin = await platform.agent(Role.admin)
        [conversation] = (await admin.get("/api/conversations", params={"contact": PHONE})).json()
        messages = (await admin.get(f"/api/conversations/{conversation['id']}/messages")).json()
        assert any(TEXT in (m.get("content") or "") for m in messages)
        before = await _hub_events(platform)
        assert any(not _clean(json.dumps(e, ensure_ascii=False)) for e in before)  # the hub had it
        assert await _hub_events_of_contact(platform) != []  # and found them by the person's phone

        # The finished-or-not exception is a supervisor's call; here the whole conversation goes.
        await admin.put("/api/privacy/retention", json={"exceptions": {"keep_active_conversations": False}})
        erase = await admin.post(
            "/api/privacy/requests", json={"kind": "erase", "phone": PHONE, "reason": "Pedido da titular"}
        )
        assert erase.status_code == 201, erase.text
        assert erase.json()["hub_status"] == "pending"
        await platform.run_jobs()

        request = (await admin.get(f"/api/privacy/requests/{erase.json()['id']}")).json()
        assert request["hub_status"] == "done", request["result"]
        assert request["result"]["hub"]["events"] >= 1
        history = (await admin.get("/api/history", params={"category": "privacy"})).json()
        assert {"privacy.erased", "privacy.hub_erase_requested", "privacy.hub_erased"} <= {
            e["action"] for e in history
        }

        # atendimento's API
        shown = (await admin.get(f"/api/conversations/{conversation['id']}")).json()
        thread = (await admin.get(f"/api/conversations/{conversation['id']}/messages")).json()
        assert _clean(json.dumps([shown, thread], ensure_ascii=False))
        assert (await admin.get("/api/conversations", params={"contact": PHONE})).json() == []
        assert (await admin.get("/api/conversations", params={"text": "Alzheimer"})).json() == []

        # the hub's API, every event, and its raw bodies in the database
        after = await _hub_events(platform)
        assert after and all(_clean(json.dumps(e, ensure_ascii=False)) for e in after)
        assert await _hub_events_of_contact(platform) == []  # the contact hashes went with the content
        async with platform.rt.db("integracoes").session() as session:
            raw = (await session.execute(select(IntegrationEvent.raw_body))).scalars().all()
        assert all(body is None or _clean(body) for body in raw)
        async with platform.hub() as hub:
            recorded = (
                await hub.get("/api/privacy/requests", headers={"X-API-Key": platform.hub_key})
            ).json()
        assert recorded[0]["reference"] == f"atendimento:privacy_request:{erase.json()['id']}"
        assert recorded[0]["subject_masked"] == "5511*****01"


async def test_the_erase_waits_for_the_hub_and_is_retried_until_done(
    settings: Settings, tmp_path: Path
) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends(PHONE, TEXT, NAME)
        await platform.run_jobs()
        admin = await platform.agent(Role.admin)
        good_key = platform.rt.settings.carinho_integracoes_api_key
        from pydantic import SecretStr

        platform.rt.settings.carinho_integracoes_api_key = SecretStr(
            "ck_000000000000_revoked"
        )  # hub says 401
        erase = await admin.post(
            "/api/privacy/requests", json={"kind": "erase", "phone": PHONE, "reason": "Pedido da titular"}
        )
        request_id = erase.json()["id"]
        await platform.run_jobs()
        pending = (await admin.get(f"/api/privacy/requests/{request_id}")).json()
        assert pending["hub_status"] == "pending"
        assert pending["result"]["hub"]["attempts"] >= 1 and pending["result"]["hub"]["last_error"]

        platform.rt.settings.carinho_integracoes_api_key = good_key
        from datetime import timedelta

        from carinho.kit import clock

        clock.advance(timedelta(hours=1))  # past the job's backoff
        await platform.run_jobs()
        done = (await admin.get(f"/api/privacy/requests/{request_id}")).json()
        assert done["hub_status"] == "done"
        assert "last_error" not in done["result"]["hub"]
        assert all(_clean(json.dumps(e, ensure_ascii=False)) for e in await _hub_events(platform))
