"""EscalationService: levels N1 → N2 → N3, up by hand or by rule, down by hand, and auto-reassign.

A change of level is a row in `escalations` and an entry in the audit trail. The conversation moves
to the target level's queue and is reassigned by the inbox's round-robin (within capacity, among
available attendants of that level); when nobody can take an escalated conversation, supervisors
get an alert and it waits unassigned in the level's queue. Operação hears of it through a job when
the rule or the agent asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.escalation.models import (
    Direction,
    Escalation,
    EscalationSettings,
    OperacaoStatus,
)
from carinho.atendimento.escalation.repository import EscalationRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import ensure_can_see
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest, Conflict, Forbidden
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

NOTIFY_OPERACAO_JOB = "atendimento.escalation_notify_operacao"
AUTO_REASSIGN_JOB = "atendimento.escalation_auto_reassign"
DEFAULT_REASSIGN_MINUTES = 15
REASSIGN_BATCH = 200
LEVELS = list(SupportLevel)


def next_level(level: SupportLevel) -> SupportLevel | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


class EscalationService:
    # ------------------------------------------------------------------ by hand

    async def escalate_by_agent(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        *,
        to_level: SupportLevel | None,
        reason: str,
        notify_operacao: bool = False,
    ) -> Escalation:
        """Any agent who can see the conversation escalates it (by default to the next level)."""
        ensure_can_see(agent, conversation)
        current = SupportLevel(conversation.level)
        target = to_level or next_level(current)
        if target is None:
            raise Conflict(f"A conversa já está no nível mais alto ({current.value}).")
        if target.rank <= current.rank:
            raise BadRequest(
                f"Escalonar é subir de nível: a conversa está em {current.value}; "
                f"para voltar a {target.value}, use o retorno de nível."
            )
        return await self.escalate(
            session, conversation, target, Actor.of(agent), reason, notify_operacao=notify_operacao
        )

    @staticmethod
    def may_deescalate(agent: Agent, conversation: Conversation) -> bool:
        """Who may bring a conversation down a level: a supervisor, or its assignee."""
        return agent.has_role(Role.supervisor) or conversation.assignee_id == agent.id

    async def deescalate_by_agent(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        *,
        to_level: SupportLevel,
        reason: str,
    ) -> Escalation:
        """A supervisor, or the conversation's assignee, brings it back to a lower level."""
        ensure_can_see(agent, conversation)
        if not self.may_deescalate(agent, conversation):
            raise Forbidden("Acesso negado: só o atendente responsável ou um supervisor pode baixar o nível.")
        current = SupportLevel(conversation.level)
        if to_level.rank >= current.rank:
            raise BadRequest(f"O retorno de nível deve ir para um nível abaixo de {current.value} (ex.: N1).")
        return await self._move(session, conversation, to_level, Actor.of(agent), reason, Direction.down)

    # ------------------------------------------------------------------ the move itself

    async def escalate(
        self,
        session: AsyncSession,
        conversation: Conversation,
        to_level: SupportLevel,
        actor: Actor,
        reason: str,
        *,
        rule_id: int | None = None,
        notify_operacao: bool = False,
    ) -> Escalation:
        if to_level.rank <= SupportLevel(conversation.level).rank:
            raise Conflict(f"A conversa já está no nível {conversation.level}.")
        return await self._move(
            session,
            conversation,
            to_level,
            actor,
            reason,
            Direction.up,
            rule_id=rule_id,
            notify_operacao=notify_operacao,
        )

    async def _move(
        self,
        session: AsyncSession,
        conversation: Conversation,
        to_level: SupportLevel,
        actor: Actor,
        reason: str,
        direction: Direction,
        *,
        rule_id: int | None = None,
        notify_operacao: bool = False,
    ) -> Escalation:
        reason = reason.strip()
        if not reason:
            raise BadRequest("Informe o motivo da mudança de nível.")
        if not conversation.is_active:
            raise Conflict("Só conversas em andamento mudam de nível; esta já foi resolvida ou fechada.")
        from_level = conversation.level
        escalation = Escalation(
            conversation_id=conversation.id,
            direction=direction.value,
            from_level=from_level,
            to_level=to_level.value,
            reason=reason,
            rule_id=rule_id,
            agent_id=actor.agent_id,
            assignee_before_id=conversation.assignee_id,
            notify_operacao=notify_operacao,
            operacao_status=OperacaoStatus.pending.value if notify_operacao else None,
            created_at=utcnow(),
        )
        EscalationRepository(session).add(escalation)
        await session.flush()
        await inbox_service.change_level(session, conversation, to_level, actor)
        await self._reassign_for_level(session, conversation, escalation, actor)
        escalation.assignee_after_id = conversation.assignee_id
        history_service.record(
            session,
            Action.escalated if direction is Direction.up else Action.deescalated,
            actor,
            conversation_id=conversation.id,
            before={"level": from_level, "assignee_id": escalation.assignee_before_id},
            after={"level": to_level.value, "assignee_id": escalation.assignee_after_id},
            details={
                "escalation_id": escalation.id,
                "reason": reason,
                "rule_id": rule_id,
                "notify_operacao": notify_operacao,
            },
        )
        if notify_operacao:
            await enqueue(
                session,
                NOTIFY_OPERACAO_JOB,
                {"escalation_id": escalation.id},
                dedupe_key=f"atendimento:escalation-operacao:{escalation.id}:1",
            )
        log.info(
            "atendimento.escalation",
            conversation_id=conversation.id,
            direction=direction.value,
            from_level=from_level,
            to_level=to_level.value,
            rule_id=rule_id,
        )
        return escalation

    async def _reassign_for_level(
        self, session: AsyncSession, conversation: Conversation, escalation: Escalation, actor: Actor
    ) -> None:
        """Keep an assignee who works at the new level (or a supervisor); otherwise round-robin
        among the level's attendants, or leave it in the level's queue."""
        holder = await session.get(Agent, conversation.assignee_id) if conversation.assignee_id else None
        if (
            holder is not None
            and holder.active
            and (holder.has_role(Role.supervisor) or holder.level == conversation.level)
        ):
            return
        details = {"reason": "escalation", "escalation_id": escalation.id}
        taken = await inbox_service.auto_assign(session, conversation, actor, details=details)
        if taken is not None:
            return
        if holder is not None:
            # Not one of the new level's attendants: it waits in that level's queue instead.
            await inbox_service._set_assignee(
                session, conversation, None, actor, action=Action.assigned, details=details
            )
        if escalation.direction == Direction.up.value:
            await alert_service.raise_alert(
                session,
                kind="escalation_unassigned",
                severity="error" if conversation.level == SupportLevel.n3.value else "warning",
                title=(
                    f"Conversa {conversation.id} escalonada para {conversation.level} "
                    "sem atendente disponível"
                ),
                details={
                    "escalation_id": escalation.id,
                    "level": conversation.level,
                    "reason": escalation.reason,
                },
                conversation_id=conversation.id,
                dedupe_key=f"escalation_unassigned:{escalation.id}",
            )

    async def escalations(self, session: AsyncSession, conversation: Conversation) -> Sequence[Escalation]:
        return await EscalationRepository(session).escalations(conversation.id)

    # ------------------------------------------------------------------ auto-reassign

    async def reassign_unanswered(self, session: AsyncSession) -> int:
        """Hand each conversation whose assignee has not answered for N business minutes to another
        available attendant of its level. Returns how many changed hands."""
        settings = await self.settings(session)
        if not settings.auto_reassign_enabled:
            return 0
        minutes = settings.auto_reassign_minutes
        now = utcnow()
        # Business minutes never outrun wall minutes: a cheap first filter.
        stale = await EscalationRepository(session).unanswered_since(
            now - timedelta(minutes=minutes), REASSIGN_BATCH
        )
        moved = 0
        for candidate in stale:
            conversation = await InboxRepository(session).conversation(candidate.id, lock=True)
            if conversation is None or conversation.assignee_id is None or conversation.waiting_since is None:
                continue
            assert conversation.assigned_at is not None
            since = max(conversation.assigned_at, conversation.waiting_since)
            waited = await working_hours_service.business_minutes_between(session, since, now)
            if waited < minutes:
                continue
            previous = conversation.assignee_id
            reason = f"Sem resposta do atendente há {minutes} minutos úteis."
            taken = await inbox_service.auto_assign(
                session,
                conversation,
                Actor.automation("auto_reassign"),
                exclude={previous},
                action=Action.reassigned,
                details={"reason": reason, "previous_assignee_id": previous},
            )
            if taken is not None:
                moved += 1
                continue
            await alert_service.raise_alert(
                session,
                kind="reassign_unavailable",
                title=(
                    f"Conversa {conversation.id} sem resposta há {minutes} minutos úteis e "
                    f"nenhum outro atendente {conversation.level} disponível"
                ),
                details={"assignee_id": previous, "level": conversation.level, "since": since.isoformat()},
                conversation_id=conversation.id,
                dedupe_key=f"reassign_unavailable:{conversation.id}:{since.isoformat()}",
            )
        return moved

    # ------------------------------------------------------------------ settings

    async def settings(self, session: AsyncSession) -> EscalationSettings:
        row = await EscalationRepository(session).settings()
        if row is None:
            row = EscalationSettings(
                auto_reassign_enabled=True, auto_reassign_minutes=DEFAULT_REASSIGN_MINUTES
            )
            EscalationRepository(session).add(row)
            await session.flush()
        return row

    async def update_settings(
        self,
        session: AsyncSession,
        supervisor: Agent,
        *,
        auto_reassign_enabled: bool | None,
        auto_reassign_minutes: int | None,
    ) -> EscalationSettings:
        row = await self.settings(session)
        before = row.snapshot()
        if auto_reassign_enabled is not None:
            row.auto_reassign_enabled = auto_reassign_enabled
        if auto_reassign_minutes is not None:
            row.auto_reassign_minutes = auto_reassign_minutes
        row.updated_by_id = supervisor.id
        await session.flush()
        if row.snapshot() != before:
            history_service.record(
                session,
                Action.escalation_settings_changed,
                Actor.of(supervisor),
                before=before,
                after=row.snapshot(),
            )
        return row


escalation_service = EscalationService()
