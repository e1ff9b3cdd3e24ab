"""Mapeamentos: per (event type, target system) the versions of its transform, a diff between two,
a test box (a sample payload or a stored event through the active spec or an edited one), and for an
admin: create a new pair (from a starter expression or a copy of another pair's active version),
publish a new version, or activate an older one (roll back). Each action audited."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import CarinhoError, Conflict, NotFound, ValidationFailed
from carinho.integracoes.console.actions import answer
from carinho.integracoes.console.auth import ConsoleAdmin, ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.mapping_diff import diff, layout
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import audit, done, masked_json, plain_json
from carinho.integracoes.mappings.catalog import known_event_types, known_target_systems
from carinho.integracoes.mappings.engine import MAX_SPEC_CHARS
from carinho.integracoes.mappings.models import MappingVersion
from carinho.integracoes.mappings.schemas import MappingCreate, MappingTest
from carinho.integracoes.mappings.service import mapping_service
from carinho.integracoes.operators.models import Operator, OperatorRole
from carinho.kit.db import BIGINT_MAX, INT_MAX
from carinho.kit.ids import PathNumber

router = APIRouter(include_in_schema=False)

URL = "/mapeamentos"
EventType = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
TargetSystem = Annotated[str, Path(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")]
VersionNumber = PathNumber
Filter = Annotated[str, Query(max_length=80)]
SpecField = Annotated[str, Form(max_length=MAX_SPEC_CHARS)]
JsonField = Annotated[str, Form(max_length=200_000)]


def _url(event_type: str, target_system: str) -> str:
    return f"{URL}/{event_type}/{target_system}"


@router.get(URL)
async def mapping_list(
    request: Request, session: HubSession, operator: ConsoleViewer, evento: Filter = "", destino: Filter = ""
) -> Response:
    rows = await mapping_service.listing(session, evento.strip() or None, destino.strip() or None)
    everything = rows if not (evento or destino) else await mapping_service.listing(session, None, None)
    is_admin = operator.has_role(OperatorRole.admin)
    return pages.render(
        request,
        "console/mappings/list.html",
        active="mapeamentos",
        title="Mapeamentos",
        rows=rows,
        filters={"evento": evento, "destino": destino},
        event_types=sorted({r.event_type for r in everything}),
        targets=sorted({r.target_system for r in everything}),
        is_admin=is_admin,
        new_pair=await _new_pair_choices(session, everything) if is_admin else None,
    )


async def _new_pair_choices(session: AsyncSession, active: list[MappingVersion]) -> dict[str, Any]:
    """What the "new mapping" form offers: the known types and systems, and the pairs to copy."""
    return {
        "event_types": [(t, t) for t in await known_event_types(session)],
        "targets": [(t, t) for t in await known_target_systems(session)],
        "sources": [
            (f"{r.event_type}/{r.target_system}", f"{r.event_type} → {r.target_system} (v{r.version})")
            for r in active
        ],
    }


def _pair_of(text: str) -> tuple[str, str] | None:
    """The copy source ("event_type/target_system"); empty: the starter expression."""
    if not text.strip():
        return None
    event_type, _, target_system = text.strip().partition("/")
    if not event_type or not target_system:
        raise ValidationFailed("Escolha na lista o mapeamento a copiar.")
    return event_type, target_system


@router.post(URL)
async def mapping_create_pair(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    evento: Annotated[str, Form(max_length=80)] = "",
    destino: Annotated[str, Form(max_length=40)] = "",
    origem: Annotated[str, Form(max_length=130)] = "",
    descricao: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A new (event type, target system) pair, version 1 active at once; then its page."""
    event_type, target_system = evento.strip(), destino.strip()
    if not event_type or not target_system:
        raise ValidationFailed("Escolha o tipo de evento e o sistema de destino.")
    source = _pair_of(origem)
    try:
        row = await mapping_service.create_pair(
            session,
            event_type,
            target_system,
            copy_from=source,
            description=descricao.strip(),
            created_by=f"console:{operator.email}",
        )
    except ValidationFailed as exc:
        field = exc.details[0].get("field") if isinstance(exc.details, list) and exc.details else None
        if field == "event_type":
            raise ValidationFailed(
                f"Tipo de evento desconhecido: {event_type}. Escolha um da lista."
            ) from None
        if field == "target_system":
            raise ValidationFailed(
                f"Sistema de destino desconhecido: {target_system}. Escolha um da lista."
            ) from None
        raise
    except Conflict:
        raise Conflict(
            f"Já existe um mapeamento de {event_type} para {target_system}: "
            "publique uma nova versão na página dele."
        ) from None
    except NotFound:
        raise ValidationFailed("O mapeamento escolhido para copiar não tem versão ativa.") from None
    audit(
        session,
        operator,
        "mapping_pair_created",
        f"{event_type}->{target_system}",
        {"version": row.version, "copied_from": "->".join(source) if source else None},
    )
    return done(request, _url(event_type, target_system), f"Mapeamento criado: versão {row.version} ativa.")


async def _versions(session: AsyncSession, event_type: str, target_system: str) -> list[MappingVersion]:
    try:
        return await mapping_service.versions(session, event_type, target_system)
    except NotFound:
        raise NotFound(f"Não há mapeamento de {event_type} para {target_system}.") from None


def _compare(versions: list[MappingVersion], old: int | None, new: int | None) -> dict[str, Any] | None:
    by_number = {v.version: v for v in versions}
    if old is None or new is None:
        if len(versions) < 2:
            return None
        active = next((v for v in versions if v.is_active), versions[0])
        other = next((v for v in versions if v.version != active.version), None)
        if other is None:
            return None
        old, new = sorted((other.version, active.version))
    if old not in by_number or new not in by_number:
        raise NotFound("Versão não encontrada para comparar.")
    return {"old": old, "new": new, "diff": diff(by_number[old].spec, by_number[new].spec)}


async def _detail(
    session: AsyncSession,
    operator: Operator,
    event_type: str,
    target_system: str,
    old: int | None = None,
    new: int | None = None,
) -> dict[str, Any]:
    versions = await _versions(session, event_type, target_system)
    active = next((v for v in versions if v.is_active), None)
    return {
        "event_type": event_type,
        "target_system": target_system,
        "base_url": _url(event_type, target_system),
        "versions": versions,
        "active_version": active,
        "active_lines": layout(active.spec) if active else [],
        "editor_text": "\n".join(layout(active.spec)) if active else "",
        "comparison": _compare(versions, old, new),
        "can_test": operator.has_role(OperatorRole.operator),
        "is_admin": operator.has_role(OperatorRole.admin),
    }


@router.get(f"{URL}/{{event_type}}/{{target_system}}")
async def mapping_detail(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    event_type: EventType,
    target_system: TargetSystem,
    de: Annotated[int | None, Query(ge=1, le=INT_MAX)] = None,
    para: Annotated[int | None, Query(ge=1, le=INT_MAX)] = None,
) -> Response:
    context = await _detail(session, operator, event_type, target_system, de, para)
    return pages.render(
        request,
        "console/mappings/detail.html",
        active="mapeamentos",
        title=f"Mapeamento {event_type} → {target_system}",
        **context,
    )


@router.get(f"{URL}/{{event_type}}/{{target_system}}/comparar")
async def mapping_compare(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    event_type: EventType,
    target_system: TargetSystem,
    de: Annotated[int, Query(ge=1, le=INT_MAX)],
    para: Annotated[int, Query(ge=1, le=INT_MAX)],
) -> Response:
    context = await _detail(session, operator, event_type, target_system, de, para)
    return pages.render(request, "console/mappings/compare.html", **context)


def _json_object(text: str, what: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{what} não é um JSON válido (linha {exc.lineno}, coluna {exc.colno})."
        ) from None
    if not isinstance(value, dict):
        raise ValidationFailed(f"{what} deve ser um objeto JSON ({{ ... }}).")
    return value


def _event_id(text: str) -> int | None:
    text = text.strip().removeprefix("#")
    if not text:
        return None
    if not text.isdigit() or int(text) > BIGINT_MAX or int(text) < 1:
        raise ValidationFailed("Informe o número do evento (só dígitos).")
    return int(text)


@router.post(f"{URL}/{{event_type}}/{{target_system}}/testar")
async def mapping_test(
    request: Request,
    session: HubSession,
    operator: ConsoleOperator,
    event_type: EventType,
    target_system: TargetSystem,
    payload: JsonField = "",
    evento_id: Annotated[str, Form(max_length=24)] = "",
    contexto: JsonField = "",
    spec: SpecField = "",
) -> Response:
    """The output of the spec (the edited one, else the active version) for a sample payload or a
    stored event. A stored event's output is shown masked: it carries a real person's data."""
    result: dict[str, Any] = {"output": None, "error": None, "masked": False, "version": None}
    active = next((v for v in await _versions(session, event_type, target_system) if v.is_active), None)
    if active is not None and _same(spec, active.spec):
        spec = ""  # the active version as laid out in the editor: say which version answered
    try:
        event_id = _event_id(evento_id)
        sample = _json_object(payload, "O exemplo")
        if sample is None and event_id is None:
            raise ValidationFailed("Cole um exemplo de payload (JSON) ou informe o número de um evento.")
        try:
            test = MappingTest(
                spec=spec.strip() or None,
                event_type=event_type,
                target_system=target_system,
                payload=sample if event_id is None else None,
                event_id=event_id,
                context=_json_object(contexto, "O contexto") or {},
            )
        except ValidationError:
            raise ValidationFailed("Confira os campos do teste.") from None
        outcome = await mapping_service.test(session, test)
        # a stored event's output carries a real person's data
        result["masked"] = event_id is not None
        result["output"] = masked_json(outcome.output) if event_id is not None else plain_json(outcome.output)
        result["version"] = outcome.version
    except NotFound as exc:
        result["error"] = "Evento não encontrado." if "event" in exc.message else exc.message
    except CarinhoError as exc:
        detail = exc.details[0]["message"] if isinstance(exc.details, list) and exc.details else None
        result["error"] = f"A expressão falhou: {detail}" if detail else exc.message
    audit(
        session,
        operator,
        "mapping_tested",
        f"{event_type}->{target_system}",
        {
            "event_id": _safe_event_id(evento_id),
            "edited_spec": bool(spec.strip()),
            "ok": result["error"] is None,
        },
    )
    return answer(request, "console/mappings/test_result.html", result=result)


def _same(a: str, b: str) -> bool:
    """The same expression, however laid out (whitespace outside string literals does not count)."""
    return layout(a) == layout(b)


def _safe_event_id(text: str) -> int | None:
    try:
        return _event_id(text)
    except ValidationFailed:
        return None


@router.post(f"{URL}/{{event_type}}/{{target_system}}/publicar")
async def mapping_publish(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    event_type: EventType,
    target_system: TargetSystem,
    spec: SpecField = "",
    descricao: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    versions = await _versions(
        session, event_type, target_system
    )  # an existing pair (new: POST /mapeamentos)
    if not spec.strip():
        raise ValidationFailed("Escreva a expressão do mapeamento.")
    if any(v.is_active and _same(v.spec, spec) for v in versions):
        raise ValidationFailed("A expressão é igual à da versão ativa: nada a publicar.")
    data = MappingCreate(
        event_type=event_type, target_system=target_system, spec=spec.strip(), description=descricao.strip()
    )
    try:
        row = await mapping_service.create_version(session, data, created_by=f"console:{operator.email}")
    except ValidationFailed as exc:
        detail = exc.details[0]["message"] if isinstance(exc.details, list) and exc.details else exc.message
        raise ValidationFailed(f"A expressão não é válida: {detail}") from None
    audit(session, operator, "mapping_published", f"{event_type}->{target_system}", {"version": row.version})
    context = await _detail(session, operator, event_type, target_system)
    return answer(
        request,
        "console/mappings/body.html",
        toast=f"Versão {row.version} publicada e ativa.",
        **context,
    )


@router.post(f"{URL}/{{event_type}}/{{target_system}}/versoes/{{version}}/ativar")
async def mapping_activate(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    event_type: EventType,
    target_system: TargetSystem,
    version: VersionNumber,
) -> Response:
    versions = await _versions(session, event_type, target_system)
    previous = next((v.version for v in versions if v.is_active), None)
    if version not in {v.version for v in versions}:
        raise NotFound(f"O mapeamento não tem a versão {version}.")
    await mapping_service.activate(session, event_type, target_system, version)
    audit(
        session,
        operator,
        "mapping_activated",
        f"{event_type}->{target_system}",
        {"version": version, "previous_version": previous},
    )
    context = await _detail(session, operator, event_type, target_system)
    word = "reversão" if previous is not None and version < previous else "ativação"
    return answer(
        request,
        "console/mappings/body.html",
        toast=f"Versão {version} ativa ({word}).",
        **context,
    )
