"""FunnelService: new -> in_service -> qualified -> proposal_sent -> won / lost.

Every move is checked against ALLOWED_TRANSITIONS, recorded (who, when) in `funnel_transitions` and
the audit trail, and announced (`signals.funnel_moved`), which pushes it to the CRM (crm/receivers.py).
`lost` needs a loss reason from the catalogue. A person's first reply and a qualified triage move
the lead too (funnel/receivers.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.funnel.models import (
    ALLOWED_TRANSITIONS,
    DocumentDispatch,
    DocumentKind,
    FunnelStage,
    FunnelTransition,
    LossReason,
)
from carinho.atendimento.funnel.repository import FunnelRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import ensure_can_see
from carinho.atendimento.inbox.models import Conversation
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow
from carinho.worker import enqueue

SEND_DOCUMENT_JOB = "atendimento.send_document_email"


class FunnelService:
    async def move(
        self,
        session: AsyncSession,
        conversation: Conversation,
        to_stage: FunnelStage,
        actor: Actor,
        *,
        loss_reason_id: int | None = None,
        note: str | None = None,
    ) -> FunnelTransition:
        current = FunnelStage(conversation.funnel_stage)
        if to_stage == current:
            raise Conflict(f"A conversa já está na etapa {current.label}.")
        if to_stage not in ALLOWED_TRANSITIONS[current]:
            allowed = ", ".join(s.label for s in sorted(ALLOWED_TRANSITIONS[current])) or "nenhuma"
            raise Conflict(
                f"Transição não permitida: {current.label} → {to_stage.label}. Permitidas: {allowed}.",
                details={"from": current.value, "to": to_stage.value},
            )
        reason: LossReason | None = None
        if to_stage is FunnelStage.lost:
            if loss_reason_id is None:
                raise BadRequest("Informe o motivo da perda para marcar a conversa como Perdido.")
            reason = await FunnelRepository(session).loss_reason(loss_reason_id)
            if reason is None or not reason.active:
                raise BadRequest("Motivo de perda inválido ou desativado.")
        elif loss_reason_id is not None:
            raise BadRequest("Motivo de perda só se aplica à etapa Perdido.")
        transition = FunnelTransition(
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            from_stage=current.value,
            to_stage=to_stage.value,
            actor_type=actor.type.value,
            agent_id=actor.agent_id,
            loss_reason_id=reason.id if reason else None,
            note=note.strip() if note and note.strip() else None,
            created_at=utcnow(),
        )
        FunnelRepository(session).add(transition)
        conversation.funnel_stage = to_stage.value
        conversation.loss_reason_id = reason.id if reason else None
        conversation.loss_note = transition.note if reason else None
        conversation.last_activity_at = utcnow()
        await session.flush()
        history_service.record(
            session,
            Action.funnel_moved,
            actor,
            conversation_id=conversation.id,
            before={"funnel_stage": current.value},
            after={"funnel_stage": to_stage.value, "loss_reason": reason.code if reason else None},
            details={"note": transition.note} if transition.note else None,
        )
        await signals.funnel_moved.send(
            session, conversation=conversation, before=current.value, after=to_stage.value, actor=actor
        )
        return transition

    async def move_by_agent(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        to_stage: FunnelStage,
        *,
        loss_reason_id: int | None,
        note: str | None,
    ) -> FunnelTransition:
        ensure_can_see(agent, conversation)
        return await self.move(
            session, conversation, to_stage, Actor.of(agent), loss_reason_id=loss_reason_id, note=note
        )

    async def on_agent_reply(self, session: AsyncSession, conversation: Conversation) -> None:
        if conversation.funnel_stage == FunnelStage.new.value:
            await self.move(session, conversation, FunnelStage.in_service, Actor.system())

    async def on_triage_qualified(
        self, session: AsyncSession, conversation: Conversation, actor: Actor
    ) -> None:
        if FunnelStage.qualified in ALLOWED_TRANSITIONS[FunnelStage(conversation.funnel_stage)]:
            await self.move(session, conversation, FunnelStage.qualified, actor)

    async def transitions(
        self, session: AsyncSession, conversation: Conversation
    ) -> Sequence[FunnelTransition]:
        return await FunnelRepository(session).transitions(conversation.id)

    # ------------------------------------------------------------------ loss reasons (supervisors)

    async def loss_reasons(
        self, session: AsyncSession, *, active: bool | None = None
    ) -> Sequence[LossReason]:
        return await FunnelRepository(session).loss_reasons(active=active)

    async def loss_reason_usage(self, session: AsyncSession) -> dict[int, int]:
        return await FunnelRepository(session).losses_per_reason()

    async def create_loss_reason(
        self, session: AsyncSession, *, code: str, label: str, position: int
    ) -> LossReason:
        repo = FunnelRepository(session)
        if await repo.loss_reason_by_code(code) is not None:
            raise Conflict(f"Já existe um motivo com o código {code}.")
        reason = LossReason(code=code, label=label.strip(), active=True, position=position)
        repo.add(reason)
        await session.flush()
        return reason

    async def update_loss_reason(
        self,
        session: AsyncSession,
        reason_id: int,
        *,
        label: str | None,
        active: bool | None,
        position: int | None,
    ) -> LossReason:
        reason = await FunnelRepository(session).loss_reason(reason_id)
        if reason is None:
            raise NotFound("Motivo de perda não encontrado.")
        if label is not None:
            reason.label = label.strip()
        if active is not None:
            reason.active = active  # deactivated, never deleted: past losses keep their reason
        if position is not None:
            reason.position = position
        await session.flush()
        return reason

    # ------------------------------------------------------------------ proposals and contracts

    async def send_document(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        *,
        kind: DocumentKind,
        email: str | None,
        subject: str,
        body: str,
        document_url: str | None,
    ) -> DocumentDispatch:
        """Queue a proposal or contract e-mail; sending a proposal moves a qualified lead on."""
        ensure_can_see(agent, conversation)
        address = (email or conversation.contact.email or "").strip().lower()
        if not address:
            raise BadRequest("O contato não tem e-mail: informe o endereço de destino.")
        dispatch = DocumentDispatch(
            conversation_id=conversation.id,
            kind=kind.value,
            email=address,
            subject=subject.strip(),
            body=body,
            document_url=document_url,
            status="queued",
            agent_id=agent.id,
        )
        FunnelRepository(session).add(dispatch)
        await session.flush()
        if not conversation.contact.email:
            conversation.contact.email = address
        await enqueue(
            session,
            SEND_DOCUMENT_JOB,
            {"dispatch_id": dispatch.id},
            dedupe_key=f"atendimento:send-document:{dispatch.id}",
        )
        history_service.record(
            session,
            Action.document_sent,
            Actor.of(agent),
            conversation_id=conversation.id,
            after={"dispatch_id": dispatch.id, "kind": kind.value, "status": "queued"},
        )
        if kind is DocumentKind.proposal and conversation.funnel_stage == FunnelStage.qualified.value:
            await self.move(session, conversation, FunnelStage.proposal_sent, Actor.of(agent))
        return dispatch

    async def documents(
        self, session: AsyncSession, conversation: Conversation
    ) -> Sequence[DocumentDispatch]:
        return await FunnelRepository(session).documents(conversation.id)


funnel_service = FunnelService()
