"""Z-API's REST API as the simulator answers it: same paths, response bodies and error shapes.

Where Z-API documents no body (unknown instance, 415, sends while disconnected with enqueueing
off) the simulator answers `{"error": "<text>"}` like Z-API's other errors [inferred, zapi.md §4].
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from carinho.sandbox.zapi import payloads
from carinho.sandbox.zapi.simulator import WEBHOOK_KINDS, ZapiSimulator

router = APIRouter(prefix="/zapi", include_in_schema=False)

_PHONE = re.compile(r"^(\d{10,15}|\d{10,25}-group|\d{5,20}@lid)$")
INVALID_REQUEST = "Invalid request. Check the data sent"
SEND_REQUIRED: dict[str, tuple[str, ...]] = {
    "send-text": ("message",),
    "send-image": ("image",),
    "send-document": ("document",),
    "send-audio": ("audio",),
    "send-video": ("video",),
    "send-link": ("message", "image", "linkUrl", "title", "linkDescription"),
    "send-button-list": ("message", "buttonList"),
    "send-button-actions": ("message", "buttonActions"),
    "send-option-list": ("message", "optionList"),
}
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ff"
    "ff3f0005fe02fea7d5b1e10000000049454e44ae426082"
)
PDF_MIN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _sim(request: Request) -> ZapiSimulator:
    sim: ZapiSimulator = request.app.state.sandbox.zapi
    return sim


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@router.get("/media/{name}")
async def media(name: str) -> Response:
    """Media of the messages the simulated phone sends (kept by Z-API for 30 days)."""
    if name.endswith(".png"):
        return Response(PNG_1PX, media_type="image/png")
    if name.endswith(".pdf"):
        return Response(PDF_MIN, media_type="application/pdf")
    return Response(b"OggS", media_type="audio/ogg")


@router.api_route(
    "/instances/{instance_id}/token/{token}/{endpoint:path}", methods=["GET", "POST", "PUT", "DELETE"]
)
async def zapi(instance_id: str, token: str, endpoint: str, request: Request) -> Response:
    sim = _sim(request)
    client_ip = request.client.host if request.client else "unknown"
    if sim.allowed_ips and client_ip not in sim.allowed_ips:
        return _error(403, f"{client_ip} not allowed")
    if instance_id != sim.instance_id or token != sim.token:
        return _error(404, "Instance not found")
    if sim.require_client_token:
        given = request.headers.get("client-token")
        if not given:
            return _error(403, "null not allowed")
        if given != sim.client_token:
            return _error(403, f"Client-Token {given} not allowed")
    if sim.subscription_expired:
        return _error(400, "To continue sending a message, you must subscribe to this instance again")
    body: dict[str, Any] = {}
    if request.method in ("POST", "PUT"):
        if "application/json" not in request.headers.get("content-type", ""):
            return _error(415, "Unsupported Media Type")
        try:
            parsed = await request.json()
        except ValueError:
            return _error(400, INVALID_REQUEST)
        if not isinstance(parsed, dict):
            return _error(400, INVALID_REQUEST)
        body = parsed
    return await _dispatch(sim, request.method, endpoint.strip("/"), body)


async def _dispatch(sim: ZapiSimulator, method: str, endpoint: str, body: dict[str, Any]) -> Response:
    name, _, rest = endpoint.partition("/")
    if name in SEND_REQUIRED:
        if method != "POST":
            return _error(405, "Method Not Allowed")
        if name == "send-document" and not rest:
            return _error(400, INVALID_REQUEST)
        return _send(sim, name, body)
    if name == "read-message" and method == "POST":
        if not body.get("phone") or not body.get("messageId"):
            return _error(400, INVALID_REQUEST)
        return Response(status_code=204)
    if name == "phone-exists" and method == "GET" and rest:
        return JSONResponse(_phone_exists(sim, rest))
    if name == "phone-exists-batch" and method == "POST":
        phones = body.get("phones")
        if not isinstance(phones, list):
            return _error(400, INVALID_REQUEST)
        return JSONResponse([_phone_exists_batch(sim, str(p)) for p in phones[:50_000]])
    if name == "status" and method == "GET":
        return JSONResponse(_status(sim))
    if name.startswith("update-") and method == "PUT":
        return _configure(sim, name, body)
    if name == "disconnect" and method == "GET":
        sim.disconnect()
        return JSONResponse({"value": True})
    if name == "restart" and method == "GET":
        return JSONResponse({"value": True})
    return _error(404, "Not Found")


def _send(sim: ZapiSimulator, name: str, body: dict[str, Any]) -> Response:
    phone = str(body.get("phone") or "")
    if not _PHONE.match(phone):
        return _error(400, "Invalid phone")
    if any(not body.get(field) for field in SEND_REQUIRED[name]):
        return _error(400, INVALID_REQUEST)
    if name == "send-link" and not str(body["message"]).rstrip().endswith(str(body["linkUrl"])):
        return _error(400, INVALID_REQUEST)
    if name == "send-button-actions":
        kinds = {b.get("type") for b in body["buttonActions"] if isinstance(b, dict)}
        if not kinds or not kinds <= {"CALL", "URL", "REPLY"} or ("REPLY" in kinds and len(kinds) > 1):
            return _error(400, INVALID_REQUEST)
    if not sim.connected and sim.disable_enqueue_when_disconnected:
        return _error(400, "You are not connected.")
    message = sim.accept_send(name, phone, body)
    return JSONResponse(
        {"zaapId": message.zaap_id, "messageId": message.message_id, "id": message.message_id}
    )


def _phone_exists(sim: ZapiSimulator, phone: str) -> Any:
    exists = sim.phone_has_whatsapp(phone)
    item = {"exists": exists, "phone": phone, "lid": payloads.chat_lid(phone) if exists else None}
    return [item] if sim.phone_exists_form == "array" else item


def _phone_exists_batch(sim: ZapiSimulator, phone: str) -> dict[str, Any]:
    exists = sim.phone_has_whatsapp(phone)
    return {
        "exists": exists,
        "inputPhone": phone,
        "outputPhone": phone if exists else None,
        "lid": payloads.chat_lid(phone) if exists else None,
    }


def _status(sim: ZapiSimulator) -> dict[str, Any]:
    if sim.connected:
        return {"connected": True, "error": "You are already connected.", "smartphoneConnected": True}
    return {
        "connected": False,
        "session": False,
        "created": payloads.momment(),
        "error": "You are not connected.",
        "smartphoneConnected": False,
    }


def _configure(sim: ZapiSimulator, name: str, body: dict[str, Any]) -> Response:
    kind = name.removeprefix("update-webhook-")
    if name == "update-every-webhooks":
        for key in WEBHOOK_KINDS:
            sim.webhooks[key] = str(body.get("value") or "")
        if "notifySentByMe" in body:
            sim.notify_sent_by_me = bool(body["notifySentByMe"])
        return JSONResponse({"value": True})
    if name == "update-notify-sent-by-me":
        sim.notify_sent_by_me = bool(body.get("notifySentByMe"))
        return JSONResponse({"value": True})
    if name == "update-queue-settings":
        sim.disable_enqueue_when_disconnected = bool(body.get("disableEnqueueWhenDisconnected"))
        return JSONResponse({"success": True})
    if name == "update-filters":
        return JSONResponse({"value": True})
    if kind == "received-delivery":
        sim.webhooks["received"] = sim.webhooks["delivery"] = str(body.get("value") or "")
        return JSONResponse({"value": True})
    if kind in WEBHOOK_KINDS:
        sim.webhooks[kind] = str(body.get("value") or "")
        return JSONResponse({"value": True})
    return _error(404, "Not Found")
