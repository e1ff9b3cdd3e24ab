from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from pydantic.json_schema import SkipJsonSchema

from carinho.atendimento.agents.models import SupportLevel
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.inbox.models import Conversation, ConversationStatus, MessageKind, Priority
from carinho.atendimento.labels.schemas import LabelOut
from carinho.kit.emails import EmailAddress


class AgentRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    level: str


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phone: str
    name: str | None
    email: str | None
    crm_lead_id: str | None


class ConversationOut(BaseModel):
    id: int
    status: ConversationStatus
    status_label: str
    priority: Priority
    priority_label: str
    level: SupportLevel
    assignee: AgentRef | None
    contact: ContactOut
    labels: list[LabelOut]
    funnel_stage: FunnelStage
    funnel_stage_label: str
    loss_reason_id: int | None
    loss_note: str | None
    waiting_since: datetime | None
    first_response_at: datetime | None
    last_activity_at: datetime
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationOut:
        status = ConversationStatus(conversation.status)
        priority = Priority(conversation.priority)
        stage = FunnelStage(conversation.funnel_stage)
        return cls(
            id=conversation.id,
            status=status,
            status_label=status.label,
            priority=priority,
            priority_label=priority.label,
            level=SupportLevel(conversation.level),
            assignee=AgentRef.model_validate(conversation.assignee) if conversation.assignee else None,
            contact=ContactOut.model_validate(conversation.contact),
            labels=[LabelOut.model_validate(label) for label in conversation.labels],
            funnel_stage=stage,
            funnel_stage_label=stage.label,
            loss_reason_id=conversation.loss_reason_id,
            loss_note=conversation.loss_note,
            waiting_since=conversation.waiting_since,
            first_response_at=conversation.first_response_at,
            last_activity_at=conversation.last_activity_at,
            last_inbound_at=conversation.last_inbound_at,
            last_outbound_at=conversation.last_outbound_at,
            created_at=conversation.created_at,
            resolved_at=conversation.resolved_at,
            closed_at=conversation.closed_at,
        )


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    direction: str
    kind: str
    private: bool
    sender_type: str
    agent_id: int | None
    content: str | None
    media_url: str | None
    media_mime_type: str | None
    media_size: int | None
    media_file_name: str | None
    media_caption: str | None
    extra: dict[str, Any]
    zapi_message_id: str | None
    delivery_status: str
    failure_reason: str | None
    send_attempts: int
    template_id: int | None
    automation: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None


class ConversationUpdate(BaseModel):
    status: ConversationStatus | None = None
    priority: Priority | None = None
    # Not an input: a level changes only by escalation (a reason, an escalation row, reassignment).
    # Read, and left out of the schema, only so that sending it gets a 422 that says where to go.
    level: SkipJsonSchema[Any] = None


class AssignRequest(BaseModel):
    agent_id: int | None = Field(description="Atendente; null para deixar sem responsável.")


class TransferRequest(BaseModel):
    agent_id: int
    note: str | None = Field(default=None, max_length=1000)


class LabelRequest(BaseModel):
    label_id: int


class ReplyRequest(BaseModel):
    text: str = Field(min_length=1, max_length=4096)


class TemplateSendRequest(BaseModel):
    template_id: int


class AttachmentRequest(BaseModel):
    url: HttpUrl
    kind: MessageKind = MessageKind.document
    caption: str | None = Field(default=None, max_length=1024)
    file_name: str | None = Field(default=None, max_length=255)
    mime_type: str | None = Field(default=None, max_length=120)
    size: int | None = Field(default=None, ge=0)


class NoteRequest(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


class ContactUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=160)
    email: EmailAddress | None = None


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    severity: str
    title: str
    details: dict[str, Any]
    conversation_id: int | None
    message_id: int | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None


class WebhookResult(BaseModel):
    status: str
    message_id: int | None = None
    conversation_id: int | None = None
    new_conversation: bool = False
    updated: int = 0
    detail: str | None = None
