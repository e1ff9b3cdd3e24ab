from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.repository import HistoryRepository
from carinho.kit.clock import utcnow


class Action:
    """The actions the trail records (stable identifiers; the UI translates them)."""

    conversation_created = "conversation.created"
    conversation_reopened = "conversation.reopened"
    message_received = "message.received"
    message_queued = "message.queued"
    message_sent = "message.sent"
    message_failed = "message.failed"
    delivery_status = "message.delivery_status"
    message_retried = "message.retried"
    note_added = "note.added"
    template_used = "template.used"
    automation_sent = "automation.sent"
    assigned = "conversation.assigned"
    transferred = "conversation.transferred"
    status_changed = "conversation.status_changed"
    priority_changed = "conversation.priority_changed"
    level_changed = "conversation.level_changed"
    label_added = "label.added"
    label_removed = "label.removed"
    funnel_moved = "funnel.moved"
    triage_answered = "triage.answered"
    triage_completed = "triage.completed"
    document_sent = "document.queued"
    document_emailed = "document.sent"
    document_failed = "document.failed"
    contact_updated = "contact.updated"
    crm_synced = "crm.synced"
    sla_applied = "sla.applied"
    sla_paused_no_business_time = "sla.paused_no_business_time"
    sla_recomputed = "sla.recomputed"
    sla_at_risk = "sla.at_risk"
    sla_breached = "sla.breached"
    sla_policy_changed = "sla.policy_changed"
    escalated = "conversation.escalated"
    deescalated = "conversation.deescalated"
    reassigned = "conversation.reassigned"
    escalation_rule_created = "escalation.rule_created"
    escalation_rule_updated = "escalation.rule_updated"
    escalation_rule_deleted = "escalation.rule_deleted"
    escalation_settings_changed = "escalation.settings_changed"
    incident_opened = "incident.opened"
    incident_updated = "incident.updated"
    incident_status_changed = "incident.status_changed"
    emergency_reported = "emergency.reported"
    emergency_acknowledged = "emergency.acknowledged"
    survey_sent = "survey.sent"
    survey_reminded = "survey.reminded"
    survey_answered = "survey.answered"
    followup_created = "followup.created"
    followup_done = "followup.done"
    followup_assigned = "followup.assigned"
    data_exported = "privacy.exported"
    data_erased = "privacy.erased"
    data_anonymised = "privacy.anonymised"
    retention_changed = "privacy.retention_changed"
    hub_erase_requested = "privacy.hub_erase_requested"
    hub_erased = "privacy.hub_erased"
    # People's actions on the system (no conversation): accounts and configuration.
    login = "auth.login"
    login_failed = "auth.login_failed"
    logout = "auth.logout"
    agent_created = "agent.created"
    agent_updated = "agent.updated"
    agent_role_changed = "agent.role_changed"
    agent_level_changed = "agent.level_changed"
    agent_deactivated = "agent.deactivated"
    agent_reactivated = "agent.reactivated"
    password_reset = "agent.password_reset"  # noqa: S105 (an action name)
    password_changed = "agent.password_changed"  # noqa: S105 (an action name)
    template_created = "template.created"
    template_updated = "template.updated"
    automation_rule_changed = "automation.rule_changed"
    working_hours_changed = "working_hours.changed"
    company_date_added = "working_hours.date_added"
    company_date_removed = "working_hours.date_removed"
    calendar_settings_changed = "working_hours.settings_changed"


ACTION_LABELS = {
    Action.conversation_created: "Conversa criada",
    Action.conversation_reopened: "Conversa reaberta",
    Action.message_received: "Mensagem recebida",
    Action.message_queued: "Mensagem enfileirada",
    Action.message_sent: "Mensagem enviada",
    Action.message_failed: "Falha no envio",
    Action.delivery_status: "Status de entrega",
    Action.message_retried: "Reenvio solicitado",
    Action.note_added: "Nota interna",
    Action.template_used: "Modelo utilizado",
    Action.automation_sent: "Mensagem automática",
    Action.assigned: "Atribuição",
    Action.transferred: "Transferência",
    Action.status_changed: "Status alterado",
    Action.priority_changed: "Prioridade alterada",
    Action.level_changed: "Nível alterado",
    Action.label_added: "Etiqueta adicionada",
    Action.label_removed: "Etiqueta removida",
    Action.funnel_moved: "Etapa do funil",
    Action.triage_answered: "Resposta de triagem",
    Action.triage_completed: "Triagem concluída",
    Action.document_sent: "Documento enviado por e-mail",
    Action.document_emailed: "E-mail do documento entregue",
    Action.document_failed: "Falha no e-mail do documento",
    Action.contact_updated: "Contato atualizado",
    Action.crm_synced: "CRM atualizado",
    Action.sla_applied: "SLA aplicado",
    Action.sla_paused_no_business_time: "SLA pausado: calendário sem horário de atendimento",
    Action.sla_recomputed: "SLA recalculado",
    Action.sla_at_risk: "SLA em risco",
    Action.sla_breached: "SLA violado",
    Action.sla_policy_changed: "Política de SLA alterada",
    Action.escalated: "Escalonamento",
    Action.deescalated: "Retorno de nível",
    Action.reassigned: "Reatribuição automática",
    Action.escalation_rule_created: "Regra de escalonamento criada",
    Action.escalation_rule_updated: "Regra de escalonamento alterada",
    Action.escalation_rule_deleted: "Regra de escalonamento excluída",
    Action.escalation_settings_changed: "Configuração de escalonamento alterada",
    Action.incident_opened: "Ocorrência aberta",
    Action.incident_updated: "Ocorrência atualizada",
    Action.incident_status_changed: "Status da ocorrência",
    Action.emergency_reported: "Emergência comunicada à operação",
    Action.emergency_acknowledged: "Emergência reconhecida",
    Action.survey_sent: "Pesquisa de satisfação enviada",
    Action.survey_reminded: "Lembrete da pesquisa",
    Action.survey_answered: "Pesquisa respondida",
    Action.followup_created: "Acompanhamento criado",
    Action.followup_done: "Acompanhamento concluído",
    Action.followup_assigned: "Acompanhamento atribuído",
    Action.data_exported: "Dados pessoais exportados",
    Action.data_erased: "Dados pessoais apagados",
    Action.data_anonymised: "Dados anonimizados (retenção)",
    Action.retention_changed: "Política de retenção alterada",
    Action.hub_erase_requested: "Exclusão enviada ao hub de integrações",
    Action.hub_erased: "Dados apagados no hub de integrações",
    Action.login: "Login",
    Action.login_failed: "Falha de login",
    Action.logout: "Saída (todas as sessões)",
    Action.agent_created: "Atendente criado",
    Action.agent_updated: "Atendente alterado",
    Action.agent_role_changed: "Papel do atendente alterado",
    Action.agent_level_changed: "Nível do atendente alterado",
    Action.agent_deactivated: "Atendente desativado",
    Action.agent_reactivated: "Atendente reativado",
    Action.password_reset: "Senha redefinida pelo administrador",
    Action.password_changed: "Senha alterada",
    Action.template_created: "Modelo de mensagem criado",
    Action.template_updated: "Modelo de mensagem alterado",
    Action.automation_rule_changed: "Regra automática alterada",
    Action.working_hours_changed: "Horário de atendimento alterado",
    Action.company_date_added: "Data especial cadastrada",
    Action.company_date_removed: "Data especial removida",
    Action.calendar_settings_changed: "Calendário de feriados alterado",
}


class ConversationHistoryService:
    def record(
        self,
        session: AsyncSession,
        action: str,
        actor: Actor,
        *,
        conversation_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> HistoryEntry:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        return HistoryRepository(session).add(
            HistoryEntry(
                conversation_id=conversation_id,
                action=action,
                actor_type=actor.type.value,
                actor_id=actor.id,
                actor_name=actor.name[:120],
                before=before,
                after=after,
                details=details,
                request_id=request_id,
                created_at=utcnow(),
            )
        )

    async def for_conversation(self, session: AsyncSession, conversation_id: int) -> Sequence[HistoryEntry]:
        return await HistoryRepository(session).for_conversation(conversation_id)

    async def of_actions(
        self, session: AsyncSession, conversation_id: int, actions: Collection[str], *, limit: int = 300
    ) -> Sequence[HistoryEntry]:
        """Some kinds of entry of one conversation (the thread shows assignments and status changes
        among the messages), oldest first; the newest `limit` of them."""
        return await HistoryRepository(session).of_actions(conversation_id, actions, limit)

    async def recent_for_conversation(
        self,
        session: AsyncSession,
        conversation_id: int,
        *,
        limit: int = 10,
        exclude_actions: Collection[str] = (),
    ) -> tuple[Sequence[HistoryEntry], int]:
        """The newest `limit` entries of a conversation (newest first), and the total count."""
        return await HistoryRepository(session).recent_for_conversation(
            conversation_id, limit, exclude_actions
        )

    async def search(
        self,
        session: AsyncSession,
        *,
        conversation_id: int | None = None,
        action: str | None = None,
        category: str | None = None,
        system_only: bool = False,
        actor_type: str | None = None,
        actor_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        sort: str = "created_at",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[HistoryEntry]:
        return await HistoryRepository(session).search(
            conversation_id=conversation_id,
            action=action,
            category=category,
            system_only=system_only,
            actor_type=actor_type,
            actor_id=actor_id,
            since=since,
            until=until,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )


history_service = ConversationHistoryService()
