"""Automatic messages, each switchable and configurable by a supervisor, each firing at most once
per trigger (a unique trigger key per firing):

- welcome: a contact's very first conversation (key: the contact).
- out_of_hours: a message arrives while we are closed (key: conversation + the next opening).
- queue_notice: N minutes without an agent (key: the conversation) — periodic scan.
- follow_up: N minutes waiting for the customer (key: conversation + when the wait began) — periodic scan.
- closing: the conversation is resolved or closed (key: the conversation).
- round_robin: not a message; assigns new conversations to an available agent of their level.

One greeting: a first contact while we are closed gets the out-of-hours message (it greets, and
says when we open) instead of the welcome, which promises an attendant "em instantes". An emergency
gets the emergency answer only (incidents/emergencies.py): while a conversation has an open
emergency, the greeting-like messages (welcome, out of hours, queue notice, follow-up) are not sent.
The closing message still is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.automations.models import AutoMessageFiring, AutoMessageRule
from carinho.atendimento.automations.repository import AutomationRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import Conversation, ConversationStatus
from carinho.atendimento.inbox.outbound import outbound_service
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.repository import IncidentRepository
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.service import template_service
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest, NotFound
from carinho.kit.clock import utcnow
from carinho.kit.labeled_enum import LabeledEnum
from carinho.logging import get_logger

log = get_logger(__name__)


class RuleKind(LabeledEnum):
    welcome = "welcome", "Boas-vindas no primeiro contato"
    out_of_hours = "out_of_hours", "Resposta fora do horário de atendimento"
    queue_notice = "queue_notice", "Aviso de fila (sem atendente após N minutos)"
    follow_up = "follow_up", "Acompanhamento (aguardando o cliente há N minutos)"
    closing = "closing", "Mensagem de encerramento"
    round_robin = "round_robin", "Distribuição automática (rodízio) de novas conversas"


TIMED_RULES = {RuleKind.queue_notice, RuleKind.follow_up}
SILENT_IN_EMERGENCY = {RuleKind.welcome, RuleKind.out_of_hours, RuleKind.queue_notice, RuleKind.follow_up}
MESSAGE_RULES = set(RuleKind) - {RuleKind.round_robin}
# The rules switched on, by kind (AutomationService.active_rules).
ActiveRules = Mapping[RuleKind, AutoMessageRule]


def _rule_snapshot(rule: AutoMessageRule) -> dict[str, object]:
    return {"enabled": rule.enabled, "template_id": rule.template_id, "delay_minutes": rule.delay_minutes}


class AutomationService:
    async def rules(self, session: AsyncSession) -> Sequence[AutoMessageRule]:
        return await AutomationRepository(session).rules()

    async def rule(self, session: AsyncSession, kind: RuleKind) -> AutoMessageRule:
        rule = await AutomationRepository(session).rule(kind.value)
        if rule is None:
            raise NotFound(f"Regra automática {kind.value} não encontrada.")
        return rule

    async def configure(
        self,
        session: AsyncSession,
        supervisor: Agent,
        kind: RuleKind,
        *,
        enabled: bool | None = None,
        template_id: int | None = None,
        delay_minutes: int | None = None,
    ) -> AutoMessageRule:
        rule = await self.rule(session, kind)
        before = _rule_snapshot(rule)
        if template_id is not None:
            if kind not in MESSAGE_RULES:
                raise BadRequest("Esta regra não envia mensagem.")
            await template_service.get(session, template_id)
            rule.template_id = template_id
        if delay_minutes is not None:
            if kind not in TIMED_RULES:
                raise BadRequest("Esta regra não tem tempo configurável.")
            if delay_minutes < 1:
                raise BadRequest("O tempo deve ser de pelo menos 1 minuto.")
            rule.delay_minutes = delay_minutes
        if enabled is not None:
            rule.enabled = enabled
        rule.updated_by_id = supervisor.id
        await session.flush()
        after = _rule_snapshot(rule)
        if after != before:
            history_service.record(
                session,
                Action.automation_rule_changed,
                Actor.of(supervisor),
                before=before,
                after=after,
                details={"rule": kind.value},
            )
        return rule

    async def _active_rule(self, session: AsyncSession, kind: RuleKind) -> AutoMessageRule | None:
        rule = await AutomationRepository(session).rule(kind.value)
        return rule if rule is not None and rule.enabled else None

    async def active_rules(self, session: AsyncSession) -> ActiveRules:
        """The rules switched on, by kind, in one query: what a customer's message reads once and
        hands to `on_new_conversation` and `on_inbound` (a change made before it applies)."""
        return {RuleKind(rule.kind): rule for rule in await self.rules(session) if rule.enabled}

    async def _fire(
        self,
        session: AsyncSession,
        rule: AutoMessageRule,
        conversation: Conversation,
        trigger_key: str,
        *,
        new_trigger: bool = False,
    ) -> bool:
        """Send the rule's message once for this trigger. Returns whether it fired now. A
        `new_trigger` (made in this transaction: a new contact's) cannot have fired: no query asks;
        the firing's unique key still guards it."""
        repo = AutomationRepository(session)
        if not new_trigger and await repo.fired(trigger_key):
            return False
        if rule.kind in SILENT_IN_EMERGENCY and await _in_emergency(session, conversation):
            log.info("atendimento.automation_silenced", rule=rule.kind, conversation_id=conversation.id)
            return False
        template = await session.get(MessageTemplate, rule.template_id) if rule.template_id else None
        if template is None or not template.active:
            log.warning("atendimento.automation_without_template", rule=rule.kind)
            return False
        firing = AutoMessageFiring(kind=rule.kind, trigger_key=trigger_key, conversation_id=conversation.id)
        try:
            async with session.begin_nested():
                repo.add(firing)
                await session.flush()
        except IntegrityError:
            return False  # a concurrent run fired it
        contact = conversation.contact
        assignee = conversation.assignee
        values = await template_service.variables_for(
            session,
            contact_name=contact.name,
            agent_name=assignee.name if assignee else None,
            conversation_id=conversation.id,
        )
        message = await outbound_service.send_automatic(
            session,
            conversation,
            automation=rule.kind,
            text=template_service.render(template, values),
            template_id=template.id,
        )
        firing.message_id = message.id
        log.info("atendimento.automation_fired", rule=rule.kind, conversation_id=conversation.id)
        return True

    # ------------------------------------------------------------------ event triggers

    async def on_new_conversation(
        self,
        session: AsyncSession,
        conversation: Conversation,
        *,
        first_contact: bool,
        rules: ActiveRules | None = None,
    ) -> None:
        rules = await self.active_rules(session) if rules is None else rules
        await InboxRepository(session).load_relations(conversation, "contact", "assignee", "labels")
        welcome = rules.get(RuleKind.welcome)
        if first_contact and welcome is not None and not await self._closed_with_notice(session, rules):
            key = f"welcome:contact:{conversation.contact_id}"
            await self._fire(session, welcome, conversation, key, new_trigger=True)
        # Already assigned: an escalation rule acted on the first message (an emergency).
        if conversation.assignee_id is None and RuleKind.round_robin in rules:
            await inbox_service.auto_assign(
                session, conversation, Actor.automation(RuleKind.round_robin.value)
            )

    async def _closed_with_notice(self, session: AsyncSession, rules: ActiveRules) -> bool:
        """We are closed and the out-of-hours message will answer (`on_inbound`, right after)."""
        rule = rules.get(RuleKind.out_of_hours)
        if rule is None or not rule.template_id or await working_hours_service.open_now(session, utcnow()):
            return False
        template = await session.get(MessageTemplate, rule.template_id)
        return template is not None and template.active

    async def on_inbound(
        self, session: AsyncSession, conversation: Conversation, *, rules: ActiveRules | None = None
    ) -> None:
        rules = await self.active_rules(session) if rules is None else rules
        rule = rules.get(RuleKind.out_of_hours)
        if rule is None:
            return
        now = utcnow()
        if await working_hours_service.open_now(session, now):
            return
        opening = await working_hours_service.next_opening(session, now)
        if opening is None:
            # No opening in the calendar's horizon: "we open soon" would not be true; the SLA
            # monitor's alert tells the supervisors to fix the calendar.
            log.warning("atendimento.out_of_hours_skipped", conversation_id=conversation.id)
            return
        await InboxRepository(session).load_relations(conversation, "contact", "assignee")
        key = f"out_of_hours:{conversation.id}:{opening.isoformat()}"
        await self._fire(session, rule, conversation, key)

    async def on_conversation_finished(self, session: AsyncSession, conversation: Conversation) -> None:
        rule = await self._active_rule(session, RuleKind.closing)
        if rule is None:
            return
        await self._fire(session, rule, conversation, f"closing:{conversation.id}")

    # ------------------------------------------------------------------ time triggers

    async def run_scheduled(self, session: AsyncSession) -> dict[str, int]:
        """The periodic scan for the time-based rules."""
        fired = {RuleKind.queue_notice.value: 0, RuleKind.follow_up.value: 0}
        now = utcnow()
        repo = InboxRepository(session)
        queue_rule = await self._active_rule(session, RuleKind.queue_notice)
        if queue_rule is not None and queue_rule.delay_minutes:
            cutoff = now - timedelta(minutes=queue_rule.delay_minutes)
            for conversation in await repo.queued_without_agent(cutoff):
                if await self._fire(session, queue_rule, conversation, f"queue_notice:{conversation.id}"):
                    fired[RuleKind.queue_notice.value] += 1
        follow_rule = await self._active_rule(session, RuleKind.follow_up)
        if follow_rule is not None and follow_rule.delay_minutes:
            cutoff = now - timedelta(minutes=follow_rule.delay_minutes)
            for conversation in await repo.waiting_customer_since(cutoff):
                if conversation.status != ConversationStatus.waiting_customer.value:
                    continue
                if (
                    conversation.last_inbound_at
                    and conversation.last_inbound_at > conversation.status_changed_at
                ):
                    continue
                key = f"follow_up:{conversation.id}:{conversation.status_changed_at.isoformat()}"
                if await self._fire(session, follow_rule, conversation, key):
                    fired[RuleKind.follow_up.value] += 1
        return fired


async def _in_emergency(session: AsyncSession, conversation: Conversation) -> bool:
    return await IncidentRepository(session).open_emergency(conversation.id) is not None


automation_service = AutomationService()
