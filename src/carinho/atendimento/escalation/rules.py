"""Automatic escalation rules: what a supervisor configures, and how a rule acts on a conversation.

A rule acts at most once per conversation (a unique firing row) and never lowers the level nor the
priority. A rule whose every effect is already in place does not fire, so it can still act later
(after a de-escalation, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, SupportLevel
from carinho.atendimento.escalation.models import EscalationRule, RuleKind
from carinho.atendimento.escalation.repository import EscalationRepository
from carinho.atendimento.escalation.service import escalation_service
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Conversation, Priority
from carinho.atendimento.inbox.service import inbox_service
from carinho.errors import BadRequest, NotFound
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

PRIORITY_ORDER = [Priority.low, Priority.normal, Priority.high, Priority.urgent]
SLA_TARGETS = {
    "first_response": "primeira resposta",
    "next_response": "próxima resposta",
    "resolution": "resolução",
}
EMERGENCY_KINDS = {RuleKind.keyword, RuleKind.triage_answer}
EMERGENCY_CATEGORY = "emergencia_saude"
EDITABLE = (
    "name",
    "target_level",
    "raise_priority",
    "notify_operacao",
    "opens_emergency",
    "active",
    "keywords",
    "question_code",
    "answer_values",
    "sla_target",
    "threshold",
    "window_hours",
)


def snapshot(rule: EscalationRule) -> dict[str, Any]:
    return {"id": rule.id, "kind": rule.kind, **{field: getattr(rule, field) for field in EDITABLE}}


def validate(rule: EscalationRule) -> None:
    """What each kind needs; raised as a 400 with the field to fix."""
    kind = RuleKind(rule.kind)
    if kind is RuleKind.keyword and not rule.keywords:
        raise BadRequest("Regra de palavras-chave precisa de ao menos uma palavra ou frase (keywords).")
    if kind is RuleKind.triage_answer and (not rule.question_code or not rule.answer_values):
        raise BadRequest(
            "Regra de triagem precisa da pergunta (question_code) e de ao menos uma resposta (answer_values)."
        )
    if kind is RuleKind.reopenings and (not rule.threshold or not rule.window_hours):
        raise BadRequest(
            "Regra de reaberturas precisa de quantas reaberturas (threshold) "
            "e em quantas horas (window_hours)."
        )
    if rule.opens_emergency and kind not in EMERGENCY_KINDS:
        raise BadRequest("Só regras de palavras-chave ou de triagem podem abrir emergência.")
    if rule.sla_target is not None and kind not in (RuleKind.sla_at_risk, RuleKind.sla_breached):
        raise BadRequest("A meta de SLA (sla_target) só se aplica às regras de SLA.")
    if rule.target_level == SupportLevel.n1.value:
        raise BadRequest("O nível de destino de uma regra deve ser N2 ou N3 (regras nunca baixam o nível).")


def raises_priority(conversation: Conversation, rule: EscalationRule) -> Priority | None:
    if rule.raise_priority is None:
        return None
    wanted = Priority(rule.raise_priority)
    if PRIORITY_ORDER.index(wanted) > PRIORITY_ORDER.index(Priority(conversation.priority)):
        return wanted
    return None


class EscalationRuleService:
    # ------------------------------------------------------------------ configuration

    async def rules(self, session: AsyncSession, *, kind: RuleKind | None = None) -> Sequence[EscalationRule]:
        return await EscalationRepository(session).rules(kind=kind.value if kind else None)

    async def rule(self, session: AsyncSession, rule_id: int) -> EscalationRule:
        rule = await EscalationRepository(session).rule(rule_id)
        if rule is None:
            raise NotFound("Regra de escalonamento não encontrada.")
        return rule

    async def create(self, session: AsyncSession, supervisor: Agent | None, **values: Any) -> EscalationRule:
        rule = EscalationRule(**{"keywords": [], "answer_values": [], **values})
        rule.updated_by_id = supervisor.id if supervisor else None
        validate(rule)
        EscalationRepository(session).add(rule)
        await session.flush()
        actor = Actor.of(supervisor) if supervisor else Actor.system()
        history_service.record(session, Action.escalation_rule_created, actor, after=snapshot(rule))
        return rule

    async def update(
        self, session: AsyncSession, supervisor: Agent, rule_id: int, changes: dict[str, Any]
    ) -> EscalationRule:
        rule = await self.rule(session, rule_id)
        before = snapshot(rule)
        for field, value in changes.items():
            if field in EDITABLE:
                setattr(rule, field, value)
        validate(rule)
        rule.updated_by_id = supervisor.id
        await session.flush()
        after = snapshot(rule)
        if after != before:
            history_service.record(
                session, Action.escalation_rule_updated, Actor.of(supervisor), before=before, after=after
            )
        return rule

    async def delete(self, session: AsyncSession, supervisor: Agent, rule_id: int) -> None:
        """Escalations it made keep its id (and their reason names it)."""
        rule = await self.rule(session, rule_id)
        history_service.record(
            session, Action.escalation_rule_deleted, Actor.of(supervisor), before=snapshot(rule)
        )
        await session.delete(rule)
        await session.flush()

    # ------------------------------------------------------------------ acting

    async def active(self, session: AsyncSession, *kinds: RuleKind) -> Sequence[EscalationRule]:
        """The active rules of these kinds (one query), in the order they were created."""
        return await EscalationRepository(session).rules(kinds=[k.value for k in kinds], active=True)

    async def fire(
        self, session: AsyncSession, rule: EscalationRule, conversation: Conversation, reason: str
    ) -> bool:
        """Apply the rule's effects once (`reason` says why, in pt-BR); False when it had nothing
        to do or had acted already."""
        if not conversation.is_active:
            return False
        target = SupportLevel(rule.target_level)
        goes_up = target.rank > SupportLevel(conversation.level).rank
        priority = raises_priority(conversation, rule)
        if not (goes_up or priority or rule.opens_emergency):
            return False
        repo = EscalationRepository(session)
        if not await repo.claim_firing(rule.id, conversation.id, utcnow()):
            return False
        actor = Actor.automation(f"escalation_rule:{rule.id}")
        if priority is not None:
            await inbox_service.change_priority(session, conversation, priority, actor)
        if goes_up:
            await escalation_service.escalate(
                session,
                conversation,
                target,
                actor,
                reason,
                rule_id=rule.id,
                notify_operacao=rule.notify_operacao,
            )
        if rule.opens_emergency:
            await self._report_emergency(session, conversation, rule, actor)
        log.info(
            "atendimento.escalation_rule_fired",
            rule_id=rule.id,
            kind=rule.kind,
            conversation_id=conversation.id,
        )
        return True

    async def _report_emergency(
        self, session: AsyncSession, conversation: Conversation, rule: EscalationRule, actor: Actor
    ) -> None:
        # Imported here: the incidents package is built on the inbox, not on escalation.
        try:
            from carinho.atendimento.incidents.service import incident_service
        except ImportError:  # an installation without the incidents package: say so loudly
            await alert_service.raise_alert(
                session,
                kind="emergency_unreported",
                severity="critical",
                title=f"Regra {rule.name} indica emergência na conversa {conversation.id}: avise a operação",
                conversation_id=conversation.id,
                dedupe_key=f"emergency_unreported:{rule.id}:{conversation.id}",
            )
            return
        await incident_service.report_emergency(
            session, conversation, category_code=EMERGENCY_CATEGORY, source=f"rule:{rule.id}", actor=actor
        )

    # ------------------------------------------------------------------ what each signal means

    async def on_inbound_text(self, session: AsyncSession, conversation: Conversation, text: str) -> None:
        from carinho.atendimento.escalation.matching import asks_for_supervisor, matched_phrase

        # Both kinds in one query (every inbound text asks), keyword rules first as before.
        rules = await self.active(session, RuleKind.keyword, RuleKind.asks_supervisor)
        for rule in (r for r in rules if r.kind == RuleKind.keyword.value):
            phrase = matched_phrase(text, rule.keywords)
            if phrase is not None:
                reason = f'Regra "{rule.name}": a mensagem do cliente contém "{phrase}".'
                await self.fire(session, rule, conversation, reason)
        for rule in (r for r in rules if r.kind == RuleKind.asks_supervisor.value):
            found = asks_for_supervisor(text, rule.keywords)
            if found is not None:
                reason = f'Regra "{rule.name}": o cliente pediu para falar com um responsável ("{found}").'
                await self.fire(session, rule, conversation, reason)

    async def on_sla_state(
        self, session: AsyncSession, conversation: Conversation, target: str, after: str
    ) -> None:
        kind = {"at_risk": RuleKind.sla_at_risk, "breached": RuleKind.sla_breached}.get(after)
        if kind is None:
            return
        state = "em risco" if kind is RuleKind.sla_at_risk else "violado"
        for rule in await self.active(session, kind):
            if rule.sla_target is not None and rule.sla_target != target:
                continue
            reason = f'Regra "{rule.name}": SLA de {SLA_TARGETS.get(target, target)} {state}.'
            await self.fire(session, rule, conversation, reason)

    async def on_triage_answer(
        self, session: AsyncSession, conversation: Conversation, question: str, value: Any
    ) -> None:
        from carinho.atendimento.escalation.matching import answer_matches

        for rule in await self.active(session, RuleKind.triage_answer):
            if rule.question_code == question and answer_matches(value, rule.answer_values):
                # The answer itself (health data) stays in the triage; the reason names the question.
                reason = f'Regra "{rule.name}": resposta da pergunta "{question}" da triagem.'
                await self.fire(session, rule, conversation, reason)

    async def on_reopening(self, session: AsyncSession, conversation: Conversation) -> None:
        repo = EscalationRepository(session)
        for rule in await self.active(session, RuleKind.reopenings):
            assert rule.threshold is not None and rule.window_hours is not None
            since = utcnow() - timedelta(hours=rule.window_hours)
            count = await repo.conversations_since(conversation.contact_id, since)
            count += await repo.reopened_from_resolved_since(conversation.contact_id, since)
            if count >= rule.threshold:
                reason = f'Regra "{rule.name}": {count} reaberturas nas últimas {rule.window_hours} horas.'
                await self.fire(session, rule, conversation, reason)


rule_service = EscalationRuleService()
