from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.rendering import CATEGORIES, render, unknown_placeholders
from carinho.atendimento.templates.repository import TemplateRepository
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest, Conflict
from carinho.kit.names import first_name

COMPANY_NAME = "Carinho com Você"


def _check(name: str | None, category: str | None, body: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise BadRequest(f"Categoria inválida. Use uma de: {', '.join(CATEGORIES)}.")
    if body is not None:
        if not body.strip():
            raise BadRequest("O texto do modelo não pode ficar vazio.")
        unknown = unknown_placeholders(body)
        if unknown:
            raise BadRequest(f"Variáveis desconhecidas no modelo: {', '.join(unknown)}.")
    if name is not None and not name.strip():
        raise BadRequest("Informe o nome do modelo.")


def protocol_number(conversation_id: int) -> str:
    """What a family is told to quote: 'ATD-000042' (the conversation's number, padded)."""
    return f"ATD-{conversation_id:06d}"


def _snapshot(template: MessageTemplate) -> dict[str, object]:
    return {
        "name": template.name,
        "category": template.category,
        "body": template.body,
        "active": template.active,
    }


class TemplateService:
    async def list(
        self, session: AsyncSession, *, category: str | None = None, active: bool | None = None
    ) -> Sequence[MessageTemplate]:
        return await TemplateRepository(session).list(category=category, active=active)

    async def get(self, session: AsyncSession, template_id: int) -> MessageTemplate:
        return await TemplateRepository(session).get_or_404(template_id, "Modelo de mensagem não encontrado.")

    async def create(
        self,
        session: AsyncSession,
        *,
        name: str,
        category: str,
        body: str,
        key: str | None = None,
        actor: Actor | None = None,
    ) -> MessageTemplate:
        """A new template; audited when a person creates it (`actor`), not when defaults are seeded."""
        _check(name, category, body)
        repo = TemplateRepository(session)
        if await repo.by_name(name.strip()) is not None:
            raise Conflict(f"Já existe um modelo chamado {name.strip()}.")
        template = MessageTemplate(key=key, name=name.strip(), category=category, body=body, active=True)
        repo.add(template)
        await session.flush()
        if actor is not None:
            history_service.record(
                session,
                Action.template_created,
                actor,
                after=_snapshot(template),
                details={"template_id": template.id},
            )
        return template

    async def update(
        self,
        session: AsyncSession,
        template: MessageTemplate,
        *,
        name: str | None = None,
        category: str | None = None,
        body: str | None = None,
        active: bool | None = None,
        actor: Actor | None = None,
    ) -> MessageTemplate:
        _check(name, category, body)
        before = _snapshot(template)
        if name is not None and name.strip() != template.name:
            if await TemplateRepository(session).by_name(name.strip()) is not None:
                raise Conflict(f"Já existe um modelo chamado {name.strip()}.")
            template.name = name.strip()
        if category is not None:
            template.category = category
        if body is not None:
            template.body = body
        if active is not None:
            template.active = active
        await session.flush()
        after = _snapshot(template)
        changed = [k for k in after if after[k] != before[k]]
        if actor is not None and changed:
            history_service.record(
                session,
                Action.template_updated,
                actor,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                details={"template_id": template.id, "name": template.name},
            )
        return template

    async def variables_for(
        self,
        session: AsyncSession,
        *,
        contact_name: str | None,
        agent_name: str | None,
        conversation_id: int | None,
    ) -> dict[str, str]:
        name = (contact_name or "").strip()
        return {
            "nome_contato": name or "cliente",
            "primeiro_nome": first_name(name) or "cliente",
            "nome_atendente": agent_name or "nossa equipe",
            "proxima_abertura": await working_hours_service.next_opening_text(session),
            "empresa": COMPANY_NAME,
            "protocolo": protocol_number(conversation_id) if conversation_id else "",
        }

    def render(self, template: MessageTemplate, values: dict[str, str]) -> str:
        return render(template.body, values)


template_service = TemplateService()
