"""The incidents' personal data: registered with retention, exported and erased per contact, and
scrubbed by the retention job once an incident is no longer active — keeping the rows."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.incidents.models import Incident, IncidentEvent
from carinho.atendimento.incidents.privacy import SCRUBBED_TITLE
from carinho.atendimento.retention import registry
from carinho.kit import clock
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent
from tests.atendimento.incidents.conftest import conversation_of


def source() -> registry.PersonalDataSource:
    [incidents] = [s for s in registry.sources() if s.name == "incidents"]
    return incidents


async def test_export_then_erase_a_contacts_incidents(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    mine = await conversation_of(atendimento, supervisor, supervisor, phone="5511933330000", message_id="PV1")
    other = await conversation_of(
        atendimento, supervisor, supervisor, phone="5511933331111", message_id="PV2"
    )
    incident = (
        await supervisor.post(
            "/api/incidents",
            json={
                "category_code": "comportamento_inadequado",
                "title": "Cuidadora Ana foi grosseira com Dona Lúcia",
                "description": "Dona Lúcia (85) relatou gritos",
                "conversation_id": mine,
            },
        )
    ).json()
    await supervisor.post(f"/api/incidents/{incident['id']}/notes", json={"note": "Filha Carla ligou"})
    emergency = (
        await supervisor.post(f"/api/conversations/{mine}/emergency", json={"description": "Desmaiou"})
    ).json()
    untouched = (
        await supervisor.post(
            "/api/incidents",
            json={"category_code": "outro", "title": "Outro cliente", "conversation_id": other},
        )
    ).json()

    async with seeded.db("atendimento").session() as session:
        contact_id = (await session.get(Incident, incident["id"])).contact_id  # type: ignore[union-attr]
        exported = await source().export(session, [contact_id])
    assert [e["id"] for e in exported] == [incident["id"], emergency["id"]]
    assert exported[0]["description"] == "Dona Lúcia (85) relatou gritos"
    assert [t["note"] for t in exported[0]["timeline"]] == [
        "Dona Lúcia (85) relatou gritos",
        "Filha Carla ligou",
    ]

    async with seeded.db("atendimento").session() as session:
        changed = await source().erase(session, [contact_id])
        await session.commit()
    assert changed == 4  # text and contact data of two incidents
    async with seeded.db("atendimento").session() as session:
        erased = await session.get(Incident, incident["id"])
        assert erased is not None
        assert (erased.title, erased.description, erased.status) == (SCRUBBED_TITLE, None, "open")
        sent = await session.get(Incident, emergency["id"])
        assert sent is not None and sent.operacao_payload is not None
        assert sent.operacao_payload["client_phone"] == ""
        assert "client_name" not in sent.operacao_payload
        assert "Desmaiou" not in str(sent.operacao_payload)
        notes = (await session.execute(select(IncidentEvent.note))).scalars().all()
        assert not any(n and ("Carla" in n or "Lúcia" in n or "Desmaiou" in n) for n in notes)
        kept = await session.get(Incident, untouched["id"])
        assert kept is not None and kept.title == "Outro cliente"
        # Erasing again changes nothing more.
        assert await source().erase(session, [contact_id]) == 0


async def test_retention_scrubs_only_finished_incidents_older_than_the_cutoff(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)

    async def incident(title: str, finish: bool) -> int:
        body = {"category_code": "reclamacao", "title": title, "description": f"texto de {title}"}
        incident_id = int((await supervisor.post("/api/incidents", json=body)).json()["id"])
        if finish:
            for status, extra in (("in_progress", {}), ("resolved", {"resolution": "ok"}), ("closed", {})):
                await supervisor.post(
                    f"/api/incidents/{incident_id}/status", json={"status": status, **extra}
                )
        return incident_id

    old_closed = await incident("antiga fechada", True)
    old_open = await incident("antiga aberta", False)
    clock.advance(timedelta(days=400))
    new_closed = await incident("nova fechada", True)
    cutoff = utcnow() - timedelta(days=365)

    async with seeded.db("atendimento").session() as session:
        assert await source().anonymise_before(session, "attachments", cutoff) == 0
        assert await source().anonymise_before(session, "message_text", cutoff) == 1
        assert await source().anonymise_before(session, "message_text", cutoff) == 0
        await session.commit()
    async with seeded.db("atendimento").session() as session:
        titles = {i.id: (i.title, i.description) for i in (await session.execute(select(Incident))).scalars()}
    assert titles[old_closed] == (SCRUBBED_TITLE, None)
    assert titles[old_open] == ("antiga aberta", "texto de antiga aberta")
    assert titles[new_closed] == ("nova fechada", "texto de nova fechada")
