"""SatisfactionService: NPS surveys over WhatsApp, their answers (a reply or the public page) and the
supervisor-editable settings.

A survey is a row created when a conversation with a human reply ends (or when the hub asks, after
a service) and a delayed job that sends it. One per conversation: a unique key column, so resolving,
reopening and resolving again never asks twice. The answer comes back as a WhatsApp reply (claimed
from the inbox before it would open a new conversation) or through the link's page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Contact,
    Conversation,
    ConversationStatus,
)
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.satisfaction import texts
from carinho.atendimento.satisfaction.followups import followup_service
from carinho.atendimento.satisfaction.models import (
    AnswerChannel,
    SatisfactionSettings,
    Survey,
    SurveySource,
    SurveyStatus,
)
from carinho.atendimento.satisfaction.parsing import ParsedAnswer, clean_comment, parse_answer
from carinho.atendimento.satisfaction.repository import SatisfactionRepository
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

SEND_JOB = "atendimento.send_satisfaction_survey"
AUTOMATION = "nps"
FINISHED = {ConversationStatus.resolved.value, ConversationStatus.closed.value}
ACTIVE = {status.value for status in ACTIVE_STATUSES}
REMINDER_BATCH = 200
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")

SETTINGS_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "send_delay_minutes": 5,
    "reminder_after_hours": 24,
    "late_after_days": 7,
    "whatsapp_reply_days": 30,
    "update_window_days": 7,
    "comment_window_minutes": 15,
    "csat_enabled": True,
    "followup_due_hours": 8,
}


@dataclass(frozen=True)
class ServiceRequest:
    phone: str
    service_id: str
    client_name: str | None = None


def public_link(token: str) -> str:
    settings = runtime.current().settings
    base = settings.atendimento_public_url or f"http://{settings.bind_host}:{settings.atendimento_port}"
    return f"{base.rstrip('/')}/nps/{token}"


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if not 10 <= len(digits) <= 15:
        raise BadRequest("Telefone inválido: informe DDI, DDD e número (ex.: 5511987654321).")
    return digits


class SatisfactionService:
    # ------------------------------------------------------------------ settings

    async def settings(self, session: AsyncSession) -> SatisfactionSettings:
        """The settings row; the defaults (unsaved) before anyone saved or seeded it."""
        row = await SatisfactionRepository(session).settings()
        return row if row is not None else SatisfactionSettings(**SETTINGS_DEFAULTS)

    async def update_settings(
        self, session: AsyncSession, supervisor: Agent, changes: dict[str, Any]
    ) -> SatisfactionSettings:
        repo = SatisfactionRepository(session)
        row = await repo.settings()
        if row is None:
            row = SatisfactionSettings(**SETTINGS_DEFAULTS)
            repo.add(row)
        for name, value in changes.items():
            if name in SETTINGS_DEFAULTS and value is not None:
                setattr(row, name, value)
        row.updated_by_id = supervisor.id
        await session.flush()
        return row

    # ------------------------------------------------------------------ scheduling

    async def on_status_changed(
        self, session: AsyncSession, conversation: Conversation, before: str, after: str
    ) -> Survey | None:
        """A conversation ended: schedule its survey (once), if a person answered the customer."""
        if after not in FINISHED or before not in ACTIVE:
            return None  # resolved -> closed is the same ending
        if conversation.first_response_at is None:
            return None  # nobody answered: there is no service to rate
        config = await self.settings(session)
        if not config.enabled:
            return None
        repo = SatisfactionRepository(session)
        survey = await repo.for_conversation(conversation.id)
        if survey is None:
            survey = Survey(
                source=SurveySource.conversation.value,
                status=SurveyStatus.scheduled.value,
                token=secrets.token_urlsafe(24),
                contact_id=conversation.contact_id,
                conversation_id=conversation.id,
                conversation_key=conversation.id,
                labels=[],
            )
            if not await _insert_once(session, survey):
                return None  # a concurrent ending scheduled it
        elif survey.status != SurveyStatus.scheduled.value:
            return survey  # already asked: one survey per conversation
        # Scheduled again after a reopening: the pending send found the conversation active.
        await self._schedule_send(session, survey, config, key=conversation.status_changed_at.isoformat())
        return survey

    async def request_for_service(
        self, session: AsyncSession, request: ServiceRequest
    ) -> tuple[Survey, bool]:
        """The hub asks for a survey after a service. Idempotent on the service id; returns
        (survey, created)."""
        repo = SatisfactionRepository(session)
        existing = await repo.for_service(request.service_id)
        if existing is not None:
            return existing, False
        config = await self.settings(session)
        if not config.enabled:
            raise Conflict("A pesquisa de satisfação está desativada.")
        conversation = await self._host_conversation(session, _phone(request.phone), request.client_name)
        survey = Survey(
            source=SurveySource.service.value,
            status=SurveyStatus.scheduled.value,
            token=secrets.token_urlsafe(24),
            contact_id=conversation.contact_id,
            conversation_id=conversation.id,
            service_id=request.service_id,
            labels=[],
        )
        if not await _insert_once(session, survey):
            existing = await repo.for_service(request.service_id)
            if existing is None:
                raise
            return existing, False
        await self._schedule_send(session, survey, config, key="service")
        return survey, True

    async def _host_conversation(self, session: AsyncSession, phone: str, name: str | None) -> Conversation:
        """Where a service survey is written: the contact's active conversation, else their latest
        one, else a new, already closed conversation (the survey is all it holds)."""
        inbox = InboxRepository(session)
        name = (name or "").replace("\x00", "").strip()[:160] or None
        contact = await inbox.contact_by_phone(phone)
        if contact is None:
            contact = Contact(phone=phone, name=name)
            inbox.add(contact)
            await session.flush()
        elif not contact.name and name:
            contact.name = name
        conversation = await inbox.active_conversation(contact.id) or await inbox.latest_conversation(
            contact.id
        )
        if conversation is not None:
            return conversation
        now = utcnow()
        conversation = Conversation(
            contact_id=contact.id,
            active_contact_id=None,
            status=ConversationStatus.closed.value,
            priority="normal",
            level="N1",
            last_activity_at=now,
            status_changed_at=now,
            resolved_at=now,
            closed_at=now,
        )
        inbox.add(conversation)
        await session.flush()
        history_service.record(
            session,
            Action.conversation_created,
            Actor.automation(AUTOMATION),
            conversation_id=conversation.id,
            after={"status": conversation.status},
            details={"origin": "satisfaction_survey"},
        )
        return conversation

    async def _schedule_send(
        self, session: AsyncSession, survey: Survey, config: SatisfactionSettings, *, key: str
    ) -> None:
        await enqueue(
            session,
            SEND_JOB,
            {"survey_id": survey.id},
            delay=timedelta(minutes=config.send_delay_minutes),
            dedupe_key=f"atendimento:satisfaction-send:{survey.id}:{key}",
        )

    # ------------------------------------------------------------------ sending

    async def send(self, session: AsyncSession, survey_id: int) -> bool:
        """The delayed send. Returns whether the survey went out now."""
        repo = SatisfactionRepository(session)
        survey = await repo.survey(survey_id)
        if survey is None or survey.status != SurveyStatus.scheduled.value:
            return False
        conversation = await session.get(Conversation, survey.conversation_id)
        if conversation is None:
            return False
        if survey.source == SurveySource.conversation.value and conversation.is_active:
            return False  # reopened: its next ending schedules the send again
        if not (await self.settings(session)).enabled:
            return False
        now = utcnow()
        if not await self._may_message_now(session, survey, now):
            return False
        if not await repo.mark_sent(survey.id, now):
            return False
        survey.status, survey.sent_at = SurveyStatus.sent.value, now
        if survey.source == SurveySource.conversation.value:
            survey.agent_id = conversation.assignee_id
            survey.level = conversation.level
            survey.labels = await repo.label_names(conversation.id)
        contact = await session.get(Contact, survey.contact_id)
        message = await self._queue(
            session,
            conversation,
            texts.survey(contact.name if contact else None, survey.source, public_link(survey.token)),
            automation="nps_survey",
        )
        survey.message_id = message.id
        history_service.record(
            session,
            Action.survey_sent,
            Actor.automation(AUTOMATION),
            conversation_id=conversation.id,
            after={"survey_id": survey.id, "message_id": message.id},
            details={"source": survey.source, "service_id": survey.service_id},
        )
        log.info("atendimento.survey_sent", survey_id=survey.id, conversation_id=conversation.id)
        return True

    async def _may_message_now(self, session: AsyncSession, survey: Survey, now: datetime) -> bool:
        """Nobody gets a survey at 3 a.m.: outside business hours the send waits for the opening."""
        if await working_hours_service.open_now(session, now):
            return True
        opening = await working_hours_service.next_opening(session, now)
        if opening is None:
            return True
        await enqueue(
            session,
            SEND_JOB,
            {"survey_id": survey.id},
            delay=opening - now,
            dedupe_key=f"atendimento:satisfaction-send:{survey.id}:opening:{opening.isoformat()}",
        )
        return False

    async def send_reminders(self, session: AsyncSession) -> int:
        """The periodic scan: one reminder per unanswered survey, N hours after it was sent."""
        config = await self.settings(session)
        if not config.enabled:
            return 0
        now = utcnow()
        if not await working_hours_service.open_now(session, now):
            return 0
        repo = SatisfactionRepository(session)
        due = await repo.due_reminders(
            now - timedelta(hours=config.reminder_after_hours),
            now - timedelta(days=config.whatsapp_reply_days),
            REMINDER_BATCH,
        )
        sent = 0
        for survey in due:
            if not await repo.mark_reminded(survey.id, now):
                continue
            survey.reminded_at = now
            conversation = await session.get(Conversation, survey.conversation_id)
            if conversation is None or not await self._quiet(session, survey, conversation):
                # The customer moved on to a new conversation: no reminder in the old thread.
                continue
            contact = await session.get(Contact, survey.contact_id)
            message = await self._queue(
                session,
                conversation,
                texts.reminder(contact.name if contact else None, public_link(survey.token)),
                automation="nps_reminder",
            )
            survey.reminder_message_id = message.id
            history_service.record(
                session,
                Action.survey_reminded,
                Actor.automation(AUTOMATION),
                conversation_id=conversation.id,
                after={"survey_id": survey.id, "message_id": message.id},
            )
            sent += 1
        return sent

    async def _queue(
        self, session: AsyncSession, conversation: Conversation, text: str, *, automation: str
    ) -> Any:
        from carinho.atendimento.inbox.outbound import outbound_service

        return await outbound_service.queue(
            session, conversation, Actor.automation(AUTOMATION), content=text, automation=automation
        )

    async def _quiet(self, session: AsyncSession, survey: Survey, conversation: Conversation) -> bool:
        """Is the survey still the last thing said to this customer? True when the contact has no
        conversation going on, or the one going on is the survey's and nothing was sent after it."""
        active = await InboxRepository(session).active_conversation(survey.contact_id)
        if active is None:
            return True
        if active.id != conversation.id:
            return False
        last = await SatisfactionRepository(session).last_outbound_message_id(conversation.id)
        return last in {survey.message_id, survey.reminder_message_id}

    # ------------------------------------------------------------------ answers

    async def claim(self, session: AsyncSession, contact: Contact, text: str | None) -> Conversation | None:
        """The inbox's claimer: a WhatsApp reply that answers a survey (or adds its comment) stays
        in the survey's conversation instead of opening a new one."""
        if not text or not text.strip() or contact.id is None:
            return None
        parsed = parse_answer(text)
        if parsed is not None:
            claimed = await self._claim_answer(session, contact, parsed)
            if claimed is not None:
                return claimed
        return await self._claim_comment(session, contact, text)

    async def _claim_answer(
        self, session: AsyncSession, contact: Contact, parsed: ParsedAnswer
    ) -> Conversation | None:
        config = await self.settings(session)
        since = utcnow() - timedelta(days=config.whatsapp_reply_days)
        survey = await SatisfactionRepository(session).awaiting_answer(contact.id, since)
        if survey is None:
            return None
        conversation = await session.get(Conversation, survey.conversation_id)
        if conversation is None or not await self._quiet(session, survey, conversation):
            return None
        await self.answer(session, survey, parsed.score, parsed.comment, None, AnswerChannel.whatsapp, config)
        text = texts.thanks(parsed.score, parsed.comment is not None)
        await self._queue(session, conversation, text, automation="nps_thanks")
        return conversation

    async def _claim_comment(self, session: AsyncSession, contact: Contact, text: str) -> Conversation | None:
        """A free-text message shortly after a score-only answer is that answer's comment."""
        comment = clean_comment(text)
        if comment is None:
            return None
        survey = await SatisfactionRepository(session).awaiting_comment(contact.id, utcnow())
        if survey is None or survey.comment is not None:
            return None
        conversation = await session.get(Conversation, survey.conversation_id)
        if conversation is None or await InboxRepository(session).active_conversation(contact.id) is not None:
            return None
        survey.comment = comment
        survey.comment_until = None
        history_service.record(
            session,
            Action.survey_answered,
            Actor.contact(),
            conversation_id=conversation.id,
            after={"survey_id": survey.id, "comment": True},
            details={"channel": AnswerChannel.whatsapp.value, "comment_only": True},
        )
        await self._queue(session, conversation, texts.COMMENT_THANKS, automation="nps_thanks")
        return conversation

    async def answer(
        self,
        session: AsyncSession,
        survey: Survey,
        score: int,
        comment: str | None,
        csat: int | None,
        channel: AnswerChannel,
        config: SatisfactionSettings | None = None,
    ) -> Survey:
        """Record (or update) the answer; a detractor gets a supervisor's follow-up."""
        if not 0 <= score <= 10 or (csat is not None and not 1 <= csat <= 5):
            raise BadRequest("Nota inválida: use 0 a 10 (e 1 a 5 para a satisfação).")
        config = config or await self.settings(session)
        now = utcnow()
        first = survey.status != SurveyStatus.answered.value
        before = None if first else {"score": survey.score, "csat": survey.csat}
        survey.score = score
        if csat is not None or channel is AnswerChannel.link:
            survey.csat = csat
        if comment is not None or channel is AnswerChannel.link:
            survey.comment = clean_comment(comment)
        survey.answer_channel = channel.value
        if first:
            survey.status = SurveyStatus.answered.value
            survey.answered_at = now
            sent_at = survey.sent_at or now
            survey.late = now - sent_at > timedelta(days=config.late_after_days)
            if channel is AnswerChannel.whatsapp and survey.comment is None:
                survey.comment_until = now + timedelta(minutes=config.comment_window_minutes)
        else:
            survey.comment_until = None
        await session.flush()
        history_service.record(
            session,
            Action.survey_answered,
            Actor.contact(),
            conversation_id=survey.conversation_id,
            before=before,
            after={"survey_id": survey.id, "score": score, "csat": survey.csat, "late": survey.late},
            details={"channel": channel.value, "updated": not first, "comment": survey.comment is not None},
        )
        if score <= 6:
            await followup_service.open_for(session, survey, config)
        log.info("atendimento.survey_answered", survey_id=survey.id, channel=channel.value, late=survey.late)
        return survey

    def may_update(self, survey: Survey, config: SatisfactionSettings, now: datetime | None = None) -> bool:
        if survey.status != SurveyStatus.answered.value or survey.answered_at is None:
            return True
        return (now or utcnow()) <= survey.answered_at + timedelta(days=config.update_window_days)

    async def of_conversation(self, session: AsyncSession, conversation: Conversation) -> Sequence[Survey]:
        return await SatisfactionRepository(session).in_conversation(conversation.id)

    async def survey(self, session: AsyncSession, survey_id: int) -> Survey:
        survey = await SatisfactionRepository(session).survey(survey_id)
        if survey is None:
            raise NotFound("Pesquisa não encontrada.")
        return survey

    async def by_token(self, session: AsyncSession, token: str) -> Survey | None:
        if not TOKEN_SHAPE.fullmatch(token):
            return None  # not one of ours (and nothing a database could choke on, like NUL)
        return await SatisfactionRepository(session).by_token(token)


satisfaction_service = SatisfactionService()


async def _insert_once(session: AsyncSession, survey: Survey) -> bool:
    """Insert the survey; False when its unique key (conversation or service) was taken meanwhile."""
    try:
        async with session.begin_nested():
            SatisfactionRepository(session).add(survey)
            await session.flush()
    except IntegrityError:
        return False
    return True
