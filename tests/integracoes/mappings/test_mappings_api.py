"""Mapping versions, rollback, the cache and the test endpoint (including broken specs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import NewEvent
from carinho.integracoes.mappings.cache import MappingCache
from carinho.integracoes.mappings.defaults import DEFAULT_MAPPINGS
from carinho.integracoes.mappings.service import mapping_service
from carinho.runtime import Runtime

LEAD = {"name": "Maria da Conceição Souza", "phone": "5511912345678", "utm_campaign": "dia-dos-avos"}


@pytest.fixture
async def auth(rt: Runtime) -> AsyncIterator[dict[str, str]]:
    async with rt.db("integracoes").session() as session:
        _, plaintext = await api_key_service.create(session, "mapping tests")
        assert await mapping_service.seed_defaults(session) == len(DEFAULT_MAPPINGS)
        await session.commit()
    yield {"X-API-Key": plaintext}


async def test_defaults_are_seeded_once_and_listed(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with rt.db("integracoes").session() as session:
        assert await mapping_service.seed_defaults(session) == 0
        await session.commit()
    listed = (await hub.get("/api/mappings", headers=auth)).json()
    assert {(m["event_type"], m["target_system"]) for m in listed} == {
        (d.event_type, d.target_system) for d in DEFAULT_MAPPINGS
    }
    assert all(m["version"] == 1 and m["is_active"] for m in listed)
    only_zapi = (await hub.get("/api/mappings", params={"target_system": "zapi"}, headers=auth)).json()
    assert only_zapi and {m["target_system"] for m in only_zapi} == {"zapi"}
    assert (await hub.get("/api/mappings")).status_code == 401


async def test_new_version_becomes_active_and_an_old_one_can_be_reactivated(
    hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    pair = "/api/mappings/lead.created/zapi"
    sample = {"event_type": "lead.created", "target_system": "zapi", "payload": LEAD}
    first = (await hub.post("/api/mappings/test", json=sample, headers=auth)).json()
    assert first["version"] == 1 and first["output"]["message"].startswith("Olá, Maria!")

    created = await hub.post(
        "/api/mappings",
        json={
            "event_type": "lead.created",
            "target_system": "zapi",
            "spec": "{phone: phone, message: template('Oi {n}, tudo bem?', {n: first_name(name)})}",
            "description": "mais curta",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2 and created.json()["is_active"]
    assert (await hub.get(pair, headers=auth)).json()["version"] == 2
    second = (await hub.post("/api/mappings/test", json=sample, headers=auth)).json()
    assert second == {
        "output": {"phone": "5511912345678", "message": "Oi Maria, tudo bem?"},
        "event_type": "lead.created",
        "target_system": "zapi",
        "version": 2,
    }
    versions = (await hub.get(f"{pair}/versions", headers=auth)).json()
    assert [(v["version"], v["is_active"]) for v in versions] == [(2, True), (1, False)]

    rolled_back = await hub.post(f"{pair}/versions/1/activate", headers=auth)
    assert rolled_back.status_code == 200 and rolled_back.json()["is_active"]
    again = (await hub.post("/api/mappings/test", json=sample, headers=auth)).json()
    assert again["version"] == 1 and again["output"] == first["output"]
    versions = (await hub.get(f"{pair}/versions", headers=auth)).json()
    assert [(v["version"], v["is_active"]) for v in versions] == [(2, False), (1, True)]
    assert (await hub.post(f"{pair}/versions/9/activate", headers=auth)).status_code == 404
    assert (await hub.get("/api/mappings/nothing.here/crm", headers=auth)).status_code == 404


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("{phone: phone, message: ", "mapping_syntax"),
        ("{phone: shout(phone)}", "mapping_syntax"),
        ("{amount: cents(name)}", "mapping_evaluation"),
    ],
)
async def test_a_broken_spec_is_a_clear_422_and_never_becomes_a_version(
    hub: httpx.AsyncClient, auth: dict[str, str], spec: str, kind: str
) -> None:
    tested = await hub.post("/api/mappings/test", json={"spec": spec, "payload": LEAD}, headers=auth)
    assert tested.status_code == 422
    body = tested.json()
    assert body["error"] == "validation_error" and body["details"][0]["type"] == kind
    assert body["message"].startswith("mapping ")
    created = await hub.post(
        "/api/mappings",
        json={"event_type": "lead.created", "target_system": "zapi", "spec": spec},
        headers=auth,
    )
    if kind == "mapping_syntax":
        assert created.status_code == 422
        versions = (await hub.get("/api/mappings/lead.created/zapi/versions", headers=auth)).json()
        assert [v["version"] for v in versions] == [1]


async def test_the_test_endpoint_runs_on_a_stored_event(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    stored = await ingest(
        rt, NewEvent(source="site", event_type="lead.created", idempotency_key="mapping-test-1", payload=LEAD)
    )
    result = await hub.post(
        "/api/mappings/test",
        json={
            "event_type": "lead.created",
            "target_system": "marketing",
            "event_id": stored.event_id,
            "context": {"crm_lead_id": 42},
        },
        headers=auth,
    )
    assert result.status_code == 200, result.text
    assert result.json()["output"] == {
        "crm_lead_id": 42,
        "attribution": {"crm_lead_id": 42, "utm_campaign": "dia-dos-avos"},
    }
    missing = await hub.post("/api/mappings/test", json={"spec": "name", "event_id": 999999}, headers=auth)
    assert missing.status_code == 404
    neither = await hub.post("/api/mappings/test", json={"spec": "name"}, headers=auth)
    assert neither.status_code == 422


async def test_a_process_cache_sees_a_change_made_elsewhere(rt: Runtime, auth: dict[str, str]) -> None:
    cache = MappingCache()  # another process's cache
    db = rt.db("integracoes")
    async with db.session() as session:
        before = await cache.get(session, "client.registered", "zapi")
        assert before is not None and before.version == 1
        await cache.get(session, "client.registered", "email")
    assert cache.reloads == 1  # loaded once, then served from memory
    async with db.session() as session:
        from carinho.integracoes.mappings.schemas import MappingCreate

        await mapping_service.create_version(
            session,
            MappingCreate(event_type="client.registered", target_system="zapi", spec="{phone: phone}"),
        )
        await session.commit()
    async with db.session() as session:
        after = await cache.get(session, "client.registered", "zapi")
    assert after is not None and after.version == 2 and after.spec == "{phone: phone}"
    assert cache.reloads == 2
