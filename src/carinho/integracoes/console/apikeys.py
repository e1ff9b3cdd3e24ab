"""Chaves de API (admin only): the hub API's keys — create one (its plaintext shown once, in the
answer, never stored), list them with their last use and how often the per-minute limit refused
them, revoke one. Each action audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import NotFound, ValidationFailed
from carinho.integracoes.apikeys.auth import api_rate_limiter
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.apikeys.service import KEY_PREFIX, api_key_service
from carinho.integracoes.console.actions import answer
from carinho.integracoes.console.auth import ConsoleAdmin, HubSession
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import audit
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

URL = "/chaves"
REFUSAL_DAYS = 7
KeyId = Id


async def _context(request: Request, session: AsyncSession) -> dict[str, Any]:
    limiter = api_rate_limiter(request)
    keys: list[ApiKey] = list(await api_key_service.list(session))
    rows = []
    for key in sorted(keys, key=lambda k: (k.revoked_at is not None, -k.id)):
        refused = await limiter.refusals(key.prefix, REFUSAL_DAYS) if key.active else []
        rows.append({"key": key, "today": refused[0] if refused else 0, "week": sum(refused)})
    return {
        "rows": rows,
        "key_prefix": KEY_PREFIX,
        "limit": request.app.state.runtime.settings.api_rate_limit_per_minute,
        "new_key": None,
    }


@router.get(URL)
async def keys_page(request: Request, session: HubSession, operator: ConsoleAdmin) -> Response:
    context = await _context(request, session)
    return pages.render(
        request, "console/apikeys/page.html", active="chaves", title="Chaves de API", **context
    )


@router.post(URL)
async def create_key(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    nome: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    name = nome.strip()
    if len(name) < 3:
        raise ValidationFailed("Dê um nome à chave (quem ou qual sistema vai usá-la), com 3 letras ou mais.")
    key, plaintext = await api_key_service.create(session, name)
    audit(session, operator, "api_key_created", f"{KEY_PREFIX}{key.prefix}", {"name": name})
    context = await _context(request, session)
    context["new_key"] = {"name": name, "plaintext": plaintext}
    return answer(request, "console/apikeys/body.html", toast=f"Chave “{name}” criada.", **context)


@router.post(f"{URL}/{{key_id}}/revogar")
async def revoke_key(
    request: Request, session: HubSession, operator: ConsoleAdmin, key_id: KeyId
) -> Response:
    try:
        key = await api_key_service.revoke(session, str(key_id))
    except NotFound:
        raise NotFound("Chave não encontrada.") from None
    audit(session, operator, "api_key_revoked", f"{KEY_PREFIX}{key.prefix}", {"name": key.name})
    await session.flush()
    context = await _context(request, session)
    return answer(request, "console/apikeys/body.html", toast=f"Chave “{key.name}” revogada.", **context)
