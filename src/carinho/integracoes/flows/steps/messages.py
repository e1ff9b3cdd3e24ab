"""Sending one WhatsApp message or one e-mail from a step: what the mapping produced, checked, sent
once per dedupe key (`send_once`) through the Z-API or e-mail connector."""

from __future__ import annotations

from typing import Any

from carinho.connectors.email.sender import EmailSender
from carinho.connectors.zapi.client import ZapiClient
from carinho.integracoes.flows.step_api import StepContext, StepError
from carinho.integracoes.flows.steps.common import send_once, settings


async def send_email(ctx: StepContext, message: dict[str, Any], dedupe_key: str) -> dict[str, Any]:
    to, template, values = message.get("to"), message.get("template"), message.get("context") or {}
    if not to or not template:
        raise StepError("the email mapping must produce to and template", retryable=False)

    async def send() -> str | None:
        try:
            sent = await EmailSender(settings()).send(str(to), str(template), dict(values))
        except ValueError as exc:  # unknown template or missing template values
            raise StepError(f"e-mail {template}: {exc}", retryable=False) from None
        return sent.message_id

    return await send_once(ctx, dedupe_key=dedupe_key, channel="email", template=str(template), send=send)


async def send_whatsapp(
    ctx: StepContext, message: dict[str, Any], dedupe_key: str, template: str
) -> dict[str, Any]:
    if not message.get("phone") or not message.get("message"):
        raise StepError("the zapi mapping must produce phone and message", retryable=False)

    async def send() -> str | None:
        async with ZapiClient(settings(), pacing_key=ctx.idempotency_key) as zapi:
            result = await zapi.send_text(str(message["phone"]), str(message["message"]))
        return result.message_id or result.zaap_id

    return await send_once(ctx, dedupe_key=dedupe_key, channel="whatsapp", template=template, send=send)
