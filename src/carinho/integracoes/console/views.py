"""What the event and DLQ screens share: statuses in pt-BR with their badge tones, the period filter
(dates in São Paulo), masking for display, the audit of an action, and answering an action."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import BadRequest
from carinho.integracoes.console.pages import pages
from carinho.integracoes.mappings.catalog import CARINHO_SYSTEMS
from carinho.integracoes.operators.models import Operator
from carinho.integracoes.operators.service import operator_service
from carinho.kit.masking import mask_payload, mask_text
from carinho.kit.ui.formatting import LOCAL_TZ, local
from carinho.kit.ui.pages import NO_STORE
from carinho.kit.ui.toasts import toast_trigger

# status -> (label, badge tone)
EVENT_STATUS = {
    "received": ("recebido", "info"),
    "processing": ("processando", "info"),
    "processed": ("processado", "success"),
    "failed": ("com falha", "warning"),
    "dead": ("na DLQ", "danger"),
    "ignored": ("ignorado", "neutral"),
}
STEP_STATUS = {
    "pending": ("pendente", "neutral"),
    "done": ("concluída", "success"),
    "failed": ("falhou", "warning"),
    "dead": ("na DLQ", "danger"),
}
DELIVERY_STATUS = {
    "pending": ("pendente", "info"),
    "succeeded": ("entregue", "success"),
    "dead": ("na DLQ", "danger"),
}
DEAD_LETTER_STATUS = {
    "open": ("aberto", "danger"),
    "retrying": ("reenviando", "info"),
    "resolved": ("resolvido", "success"),
    "archived": ("arquivado", "neutral"),
}
DEAD_LETTER_KIND = {"step": "etapa", "delivery": "entrega"}
TRIGGER = {"scheduled": "agendada", "manual": "manual"}
TARGET_SYSTEMS = CARINHO_SYSTEMS

LABELS = {
    "event_status": EVENT_STATUS,
    "step_status": STEP_STATUS,
    "delivery_status": DELIVERY_STATUS,
    "dead_letter_status": DEAD_LETTER_STATUS,
    "dead_letter_kind": DEAD_LETTER_KIND,
    "trigger": TRIGGER,
}


def period(start: str, end: str) -> tuple[datetime | None, datetime | None]:
    """The `de`/`até` dates (YYYY-MM-DD, days in São Paulo) as an instant range [from, to) in UTC."""

    def day(value: str, name: str) -> date | None:
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise BadRequest(f"Data inválida em “{name}”: use o formato dd/mm/aaaa.") from None

    first, last = day(start, "de"), day(end, "até")
    if first and last and last < first:
        raise BadRequest("O período termina antes de começar: confira as datas.")

    def instant(value: date) -> datetime:
        return datetime.combine(value, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)

    return (
        instant(first) if first else None,
        instant(last + timedelta(days=1)) if last else None,
    )


def choice(value: str, allowed: dict[str, Any] | tuple[str, ...], what: str) -> str | None:
    """A select's value: empty for "any", one of `allowed`, or a clear refusal."""
    value = value.strip()
    if not value:
        return None
    if value not in allowed:
        raise BadRequest(f"Valor desconhecido em “{what}”: escolha uma opção da lista.")
    return value


def masked_json(value: Any) -> str:
    """A document as operators may see it: personal data (people's names under `…_name` keys too)
    and secrets masked (LGPD), indented."""
    return json.dumps(mask_payload(value), ensure_ascii=False, indent=2, default=str)


def plain_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def masked_text(value: str | None) -> str:
    return mask_text(value) if value else ""


def datetime_seconds_br(moment: datetime | str | None) -> str:
    """'06/12/2026 16:55:07' in São Paulo: events and steps are seconds apart. Takes the ISO text the
    API's step and delivery views give, too."""
    if isinstance(moment, str):
        try:
            value = local(datetime.fromisoformat(moment))
        except ValueError:
            return moment
    else:
        value = local(moment)
    return value.strftime("%d/%m/%Y %H:%M:%S") if value else ""


def dotted_name(value: str | None) -> Markup:
    """An event type or step name that may wrap after its dots ("whatsapp.message.|received"), never
    in the middle of a word."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[._])", value or ""))


pages.env.filters.update(mascarar=masked_text, datahora_s=datetime_seconds_br, nome_pontuado=dotted_name)


def audit(
    session: AsyncSession, operator: Operator, action: str, target: str, details: dict[str, Any] | None = None
) -> None:
    operator_service.audit(session, operator, operator.email, action, target=target, details=details)


def done(request: Request, url: str, message: str) -> Response:
    """After an action: htmx goes to `url` (the page drawn again, the toast shown); a plain form post
    is redirected there."""
    if request.headers.get("hx-request") == "true":
        location = {"path": url, "target": "#conteudo", "select": "#conteudo", "swap": "outerHTML"}
        return Response(
            status_code=200,
            headers={"HX-Location": json.dumps(location), "HX-Trigger": toast_trigger(message), **NO_STORE},
        )
    return RedirectResponse(url, status_code=303)
