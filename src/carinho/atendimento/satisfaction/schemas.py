from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enabled: bool = Field(description="Envia a pesquisa de satisfação (NPS) ao encerrar conversas.")
    send_delay_minutes: int = Field(description="Minutos entre o encerramento e o envio da pesquisa.")
    reminder_after_hours: int = Field(description="Horas sem resposta até o lembrete (enviado uma vez).")
    late_after_days: int = Field(
        description="Respostas após estes dias são aceitas e marcadas como atrasadas."
    )
    whatsapp_reply_days: int = Field(
        description="Por quantos dias uma resposta pelo WhatsApp ainda é reconhecida como nota."
    )
    update_window_days: int = Field(description="Dias, após responder, em que o cliente pode alterar a nota.")
    comment_window_minutes: int = Field(
        description="Minutos em que uma mensagem após a nota vira o comentário da pesquisa."
    )
    csat_enabled: bool = Field(description="Mostra a pergunta opcional de satisfação (1 a 5) na página.")
    followup_due_hours: int = Field(description="Prazo, em horas úteis, do acompanhamento de um detrator.")


class SettingsIn(BaseModel):
    enabled: bool | None = None
    send_delay_minutes: int | None = Field(default=None, ge=0, le=1440, examples=[5])
    reminder_after_hours: int | None = Field(default=None, ge=1, le=720, examples=[24])
    late_after_days: int | None = Field(default=None, ge=1, le=365, examples=[7])
    whatsapp_reply_days: int | None = Field(default=None, ge=1, le=365, examples=[30])
    update_window_days: int | None = Field(default=None, ge=0, le=365, examples=[7])
    comment_window_minutes: int | None = Field(default=None, ge=0, le=1440, examples=[15])
    csat_enabled: bool | None = None
    followup_due_hours: int | None = Field(default=None, ge=1, le=720, examples=[8])


class ServiceSurveyIn(BaseModel):
    phone: str = Field(
        max_length=32, description="Telefone do cliente com DDI e DDD", examples=["5511987650101"]
    )
    service_id: str = Field(
        pattern=r"^[A-Za-z0-9._:/-]{1,64}$",
        description="Id do serviço na operação (uma pesquisa por serviço)",
        examples=["SRV-2026-000123"],
    )
    client_name: str | None = Field(default=None, max_length=160, examples=["Maria Souza"])


class SurveyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str = Field(description="conversation (conversa encerrada) ou service (após o serviço)")
    status: str = Field(description="scheduled, sent ou answered")
    conversation_id: int
    service_id: str | None
    sent_at: datetime | None
    answered_at: datetime | None
    score: int | None
    csat: int | None
    comment: str | None
    late: bool
    answer_channel: str | None
    reminded_at: datetime | None


class FiguresOut(BaseModel):
    sent: int = Field(description="Pesquisas enviadas no período")
    responses: int = Field(description="Pesquisas respondidas")
    response_rate: float | None = Field(description="% de respostas (respondidas / enviadas)")
    promoters: int = Field(description="Notas 9–10")
    passives: int = Field(description="Notas 7–8")
    detractors: int = Field(description="Notas 0–6")
    nps: float | None = Field(description="% promotores − % detratores (−100 a 100)")
    late: int = Field(description="Respostas fora do prazo")
    csat_responses: int = Field(description="Respostas à pergunta de satisfação (1 a 5)")
    csat: float | None = Field(description="% de notas 4–5 na pergunta de satisfação")


class GroupOut(FiguresOut):
    key: str | None
    label: str


class NpsReportOut(BaseModel):
    start: datetime
    end: datetime
    group_by: str | None
    period: str | None
    overall: FiguresOut
    groups: list[GroupOut]


class FollowupOut(BaseModel):
    id: int
    survey_id: int
    conversation_id: int
    contact_id: int
    status: str = Field(description="open ou done")
    assignee_id: int | None = Field(description="Supervisor responsável")
    due_at: datetime
    score: int | None
    comment: str | None
    note: str | None
    created_at: datetime
    done_at: datetime | None
    done_by_id: int | None


class FollowupDoneIn(BaseModel):
    note: str | None = Field(
        default=None, max_length=5000, examples=["Liguei para a cliente; trocamos a cuidadora."]
    )


class FollowupAssignIn(BaseModel):
    assignee_id: int = Field(ge=1, le=2_147_483_647, description="Supervisor (ou administrador) ativo")


class CommentOut(BaseModel):
    survey_id: int
    conversation_id: int
    agent: str | None
    score: int | None
    csat: int | None
    comment: str
    answered_at: datetime
