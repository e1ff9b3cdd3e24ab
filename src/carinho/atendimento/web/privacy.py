"""Privacidade (LGPD): a data subject's requests — find the person by phone or e-mail (atendimento
keeps no CPF), export their data (JSON download) or erase it with the legal exceptions, the log of
requests. An administrator's screen: the same service and the same rule (retention/access.py) as
/api/privacy/requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.retention.access import PRIVACY_ROLE, SessionPrivacyOfficer
from carinho.atendimento.retention.data_requests import data_request_service, subject_of
from carinho.atendimento.retention.models import RequestKind
from carinho.atendimento.retention.subject_repository import SubjectRepository
from carinho.atendimento.web.pages import NAV_ROLES, SUPERVISOR_NAV, pages
from carinho.errors import BadRequest, CarinhoError
from carinho.kit.data_subject import Subject
from carinho.kit.ui import NavItem
from carinho.kit.ui.table_order import page_number

router = APIRouter(include_in_schema=False)

PRIVACY_URL = "/privacidade"
LOG_SIZE = 50
KIND_LABELS = {"export": "Exportação", "erase": "Exclusão"}
STATUS = {
    "completed": ("Concluída", "success"),
    "completed_with_exceptions": ("Concluída com exceções legais", "warning"),
    "no_data": ("Nenhum dado encontrado", "neutral"),
}
SUPERVISOR_NAV.append(NavItem("Privacidade", PRIVACY_URL, "privacidade"))
NAV_ROLES["privacidade"] = PRIVACY_ROLE

Identifier = Annotated[str, Form(max_length=190)]
Reason = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=16)]


def _subject(identifier: str) -> Subject:
    value = identifier.strip()
    return subject_of(None, value) if "@" in value else subject_of(value or None, None)


@router.get(PRIVACY_URL)
async def privacy_page(request: Request, officer: SessionPrivacyOfficer, session: SessionDep) -> Response:
    identifier = (request.query_params.get("titular") or "")[:190].strip()
    page = page_number(request.query_params.get("pagina"))
    found = None
    error = None
    if identifier:
        try:
            subject = _subject(identifier)
            contacts = await data_request_service.find_contacts(session, subject)
            conversations = (
                await SubjectRepository(session).conversations([c.id for c in contacts]) if contacts else []
            )
            found = {"subject": subject, "contacts": contacts, "conversations": len(conversations)}
        except CarinhoError as exc:
            error = exc.message
    return pages.render(
        request,
        "atendimento/privacy/page.html",
        status_code=422 if error else 200,
        active="privacidade",
        identifier=identifier,
        found=found,
        error=error,
        requests=await data_request_service.list(session, limit=LOG_SIZE + 1, offset=(page - 1) * LOG_SIZE),
        page=page,
        page_size=LOG_SIZE,
        kind_labels=KIND_LABELS,
        statuses=STATUS,
        highlight=request.query_params.get("solicitacao") or "",
    )


@router.post(f"{PRIVACY_URL}/solicitacoes")
async def create_request(
    officer: SessionPrivacyOfficer,
    session: SessionDep,
    identifier: Identifier = "",
    kind: Short = "",
    reason: Reason = "",
    confirm: Short = "",
) -> Response:
    if kind not in {k.value for k in RequestKind}:
        raise BadRequest("Escolha exportar ou apagar os dados.")
    if len(reason.strip()) < 3:
        raise BadRequest("Informe o motivo e a origem da solicitação (ex.: pedido por e-mail, protocolo).")
    if kind == RequestKind.erase and confirm != "sim":
        raise BadRequest("Confirme a exclusão: ela não pode ser desfeita.")
    subject = _subject(identifier)
    phone, email = (None, subject.email) if subject.kind == "email" else (identifier.strip(), None)
    action = data_request_service.export if kind == RequestKind.export else data_request_service.erase
    done = await action(session, Actor.of(officer), phone=phone, email=email, reason=reason.strip())
    return RedirectResponse(f"{PRIVACY_URL}?solicitacao={done.id}#solicitacao-{done.id}", status_code=303)
