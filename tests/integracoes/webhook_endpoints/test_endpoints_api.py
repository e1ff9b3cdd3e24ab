"""`/api/endpoints`: create (secret shown once), read, list, change, disable, delete, rotate."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from carinho.kit import clock
from carinho.kit.crypto import new_key
from carinho.runtime import Runtime
from tests.integracoes.processing import create_endpoint, endpoint_row

URL = "https://crm.carinho.com.vc/webhooks/integracoes"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/endpoints"),
        ("POST", "/api/endpoints"),
        ("GET", "/api/endpoints/1"),
        ("PATCH", "/api/endpoints/1"),
        ("DELETE", "/api/endpoints/1"),
        ("POST", "/api/endpoints/1/rotate-secret"),
    ],
)
async def test_api_key_is_required(hub: httpx.AsyncClient, rt: Runtime, method: str, path: str) -> None:
    response = await hub.request(method, path, headers={"X-API-Key": "ck_nope_nope"})
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


async def test_create_shows_the_secret_once(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    created = await create_endpoint(
        hub, auth, URL, event_types=["lead.created", "client.registered", "lead.created"], description="CRM"
    )
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 38
    assert created["event_types"] == ["lead.created", "client.registered"]
    assert (created["enabled"], created["target_system"], created["retry_schedule"]) == (True, "crm", None)

    shown = await hub.get(f"/api/endpoints/{created['id']}", headers=auth)
    assert shown.status_code == 200 and "secret" not in shown.json()
    listed = (await hub.get("/api/endpoints", headers=auth)).json()
    assert [e["id"] for e in listed["items"]] == [created["id"]] and "secret" not in listed["items"][0]


async def test_secrets_are_encrypted_at_rest_when_keys_are_set(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    rt.settings.payload_encryption_keys = SecretStr(new_key())
    created = await create_endpoint(hub, auth, URL)
    stored = (await endpoint_row(rt, created["id"])).secret
    assert stored.startswith("enc:") and created["secret"] not in stored


async def test_a_secret_can_be_brought(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    created = await create_endpoint(hub, auth, URL, secret=secret)
    assert created["secret"] == secret


@pytest.mark.parametrize(
    "change",
    [
        {"url": "ftp://crm.carinho.com.vc/x"},
        {"url": "https://user:pass@crm.carinho.com.vc/x"},
        {"url": "https://crm.carinho.com.vc/a\x01b"},  # a control character httpx would refuse to send
        {"url": "https://ex\u2100ample.com/x"},  # a host with no IDNA form (℀ maps to "a/c")
        {"url": "https://carinhosa\u00fade.com.br/x"},  # an IDN goes in its xn-- form
        {"target_system": "CRM!"},
        {"event_types": ["lead created"]},
        {"retry_schedule": [-1]},
        {"secret": "not-a-whsec"},
        {"unknown": 1},
    ],
)
async def test_invalid_fields_are_refused(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], change: dict[str, object]
) -> None:
    body = {"url": URL, "target_system": "crm", "event_types": [], **change}
    response = await hub.post("/api/endpoints", json=body, headers=auth)
    assert response.status_code == 422 and response.json()["error"] == "validation_error"


async def test_list_filters_and_pages(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    ids = [(await create_endpoint(hub, auth, URL, target_system=t))["id"] for t in ("crm", "operacao", "crm")]
    await hub.patch(f"/api/endpoints/{ids[2]}", json={"enabled": False}, headers=auth)
    first = (await hub.get("/api/endpoints", params={"limit": 2}, headers=auth)).json()
    assert [e["id"] for e in first["items"]] == ids[:2] and first["next_cursor"]
    second = (await hub.get("/api/endpoints", params={"cursor": first["next_cursor"]}, headers=auth)).json()
    assert [e["id"] for e in second["items"]] == ids[2:] and second["next_cursor"] is None
    crm = (
        await hub.get("/api/endpoints", params={"target_system": "crm", "enabled": True}, headers=auth)
    ).json()
    assert [e["id"] for e in crm["items"]] == [ids[0]]
    bad = await hub.get("/api/endpoints", params={"cursor": "!!"}, headers=auth)
    assert bad.status_code == 400


async def test_update_disable_enable_and_delete(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    created = await create_endpoint(hub, auth, URL, retry_schedule=[5, 60])
    path = f"/api/endpoints/{created['id']}"
    changed = (
        await hub.patch(path, json={"event_types": ["payment.received"], "retry_schedule": []}, headers=auth)
    ).json()
    assert (changed["event_types"], changed["retry_schedule"], changed["url"]) == (
        ["payment.received"],
        [],
        URL,
    )
    disabled = (await hub.patch(path, json={"enabled": False}, headers=auth)).json()
    assert disabled["enabled"] is False and disabled["disabled_at"]
    enabled = (await hub.patch(path, json={"enabled": True, "retry_schedule": None}, headers=auth)).json()
    assert (enabled["enabled"], enabled["disabled_reason"], enabled["retry_schedule"]) == (True, None, None)

    assert (await hub.delete(path, headers=auth)).status_code == 204
    assert (await hub.get(path, headers=auth)).status_code == 404
    assert (await hub.delete(path, headers=auth)).status_code == 404
    assert (await hub.get("/api/endpoints", headers=auth)).json()["items"] == []


async def test_rotation_keeps_the_old_secret_for_the_grace_period(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    from carinho.integracoes.webhook_endpoints.service import webhook_endpoint_service

    created = await create_endpoint(hub, auth, URL)
    rotated = await hub.post(
        f"/api/endpoints/{created['id']}/rotate-secret", json={"grace_period_seconds": 3600}, headers=auth
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    row = await endpoint_row(rt, created["id"])
    assert webhook_endpoint_service.signing_secrets(row, clock.utcnow()) == [new_secret, created["secret"]]
    clock.advance(timedelta(hours=1, seconds=1))
    assert webhook_endpoint_service.signing_secrets(row, clock.utcnow()) == [new_secret]

    no_grace = await hub.post(
        f"/api/endpoints/{created['id']}/rotate-secret", json={"grace_period_seconds": 0}, headers=auth
    )
    row = await endpoint_row(rt, created["id"])
    assert webhook_endpoint_service.signing_secrets(row, clock.utcnow()) == [no_grace.json()["secret"]]
    too_long = await hub.post(
        f"/api/endpoints/{created['id']}/rotate-secret",
        json={"grace_period_seconds": 8 * 86400},
        headers=auth,
    )
    assert too_long.status_code == 422
    assert (await hub.post("/api/endpoints/999999/rotate-secret", headers=auth)).status_code == 404


async def test_rotation_refuses_a_body_that_is_not_json(hub: httpx.AsyncClient, auth: dict[str, str]) -> None:
    created = await create_endpoint(hub, auth, URL)
    path = f"/api/endpoints/{created['id']}/rotate-secret"
    for body, content_type in ((b"grace=60", "text/plain"), (b"not json", "application/json")):
        refused = await hub.post(path, content=body, headers={**auth, "content-type": content_type})
        assert refused.status_code == 422, (content_type, refused.text)
        assert refused.json()["error"] == "validation_error"
    assert (await hub.post(path, headers=auth)).status_code == 200  # no body: the default grace period
