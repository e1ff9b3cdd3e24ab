"""The sandbox's page (pt-BR): per system what it received and its faults, the WhatsApp traffic of
the simulated instance, the mails caught by the SMTP sink, and a form to make the customer's phone
send a message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from carinho.kit.phones import normalize_br_phone
from carinho.sandbox.zapi.inspect import state_view

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, aviso: str | None = None) -> HTMLResponse:
    sandbox = request.app.state.sandbox
    systems: list[dict[str, Any]] = [
        {
            "name": name,
            "faults": state.view(),
            "faulty": state.active,
            "requests": [r.view() for r in reversed(sandbox.recorder.list(name)[-8:])],
            "total": len(sandbox.recorder.list(name)),
            "records": []
            if name == "zapi"
            else [_summary(r, d) for r, d in await sandbox.store.recent(name)],
        }
        for name, state in sandbox.faults.items()
    ]
    mails = sandbox.extras.get("smtp").messages[-10:] if sandbox.extras.get("smtp") else []
    context = {
        "systems": systems,
        "zapi": state_view(sandbox.zapi),
        "sent": [m.view() for m in list(sandbox.zapi.sent)[-15:]][::-1],
        "callbacks": [c.view() for c in list(sandbox.zapi.callbacks)[-15:]][::-1],
        "mails": [m.summary() for m in reversed(mails)],
        "notice": aviso,
    }
    return templates.TemplateResponse(request, "home.html", context)


def _summary(resource: str, record: dict[str, Any]) -> dict[str, Any]:
    label = next(
        (
            str(record[k])
            for k in ("name", "client_name", "number", "protocol", "title", "summary", "type")
            if record.get(k)
        ),
        "",
    )
    return {
        "resource": resource,
        "id": record.get("id"),
        "label": label[:60],
        "status": record.get("status", ""),
        "updated_at": str(record.get("updated_at", "")),
    }


@router.post("/telefone/enviar")
async def phone_form(
    request: Request,
    phone: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    sender_name: Annotated[str, Form()] = "Cliente Sandbox",
    media: Annotated[str, Form()] = "",
) -> RedirectResponse:
    normalized = normalize_br_phone(phone)
    if normalized is None or not (text or media):
        return RedirectResponse("/?aviso=Informe+um+telefone+válido+e+uma+mensagem", status_code=303)
    delivery = await request.app.state.sandbox.zapi.phone_sends(
        phone=normalized,
        sender_name=sender_name or "Cliente Sandbox",
        text=text or None,
        media=media or None,
        caption=text or None,
    )
    if delivery.status is not None and delivery.status < 300:
        notice = f"Mensagem entregue ao webhook (HTTP {delivery.status})"
    else:
        notice = f"Webhook não aceitou: {delivery.error or delivery.status}"
    return RedirectResponse(f"/?aviso={notice}", status_code=303)
