"""The live metrics snapshot (GET /api/metrics/live and each event of /api/metrics/stream)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ConversationCounts(BaseModel):
    open: int = Field(description="Conversas ativas (aberta, pendente ou aguardando cliente).", examples=[42])
    waiting: int = Field(description="Conversas ativas em que o cliente espera resposta nossa.", examples=[9])
    unassigned: int = Field(description="Conversas ativas sem atendente.", examples=[5])


class LevelCounts(ConversationCounts):
    level: str = Field(description="Nível de suporte (N1, N2, N3).", examples=["N1"])


class StatusCounts(ConversationCounts):
    status: str = Field(description="Status da conversa.", examples=["open"])
    label: str = Field(description="Nome do status em português.", examples=["Aberta"])


class ConversationsFigures(ConversationCounts):
    by_level: list[LevelCounts] = Field(description="Contagens por nível (sempre N1, N2 e N3).")
    by_status: list[StatusCounts] = Field(description="Contagens por status ativo.")


class QueueWait(BaseModel):
    count: int = Field(description="Conversas na fila: sem atendente e com cliente esperando.", examples=[5])
    oldest_since: datetime | None = Field(description="Desde quando espera o cliente mais antigo da fila.")
    oldest_minutes: float | None = Field(description="Espera do mais antigo, em minutos corridos.")
    oldest_business_minutes: float | None = Field(description="Espera do mais antigo, em minutos úteis.")
    average_minutes: float | None = Field(description="Espera média da fila, em minutos corridos.")
    average_business_minutes: float | None = Field(description="Espera média da fila, em minutos úteis.")


class QueueFigures(QueueWait):
    by_level: dict[str, QueueWait] = Field(description="A mesma espera, por nível (N1, N2, N3).")


class AgentLoad(BaseModel):
    id: int
    name: str
    role: str
    level: str
    available: bool = Field(description="Disponível para receber conversas (não está em pausa).")
    online: bool = Field(description="Disponível e visto nos últimos minutos (ver `online_window_minutes`).")
    last_seen_at: datetime | None = Field(
        description="Último sinal de vida: login, ação no histórico ou mensagem enviada."
    )
    active_conversations: int = Field(description="Conversas ativas atribuídas ao atendente.")
    capacity: int = Field(description="Quantas conversas ativas o atendente comporta.")
    load: float = Field(description="Conversas ativas ÷ capacidade (1.0 = lotado).", examples=[0.6])


class AgentsFigures(BaseModel):
    online_window_minutes: int = Field(description="Janela de 'visto recentemente', em minutos.")
    active: int = Field(description="Atendentes com conta ativa.")
    available: int = Field(description="Atendentes ativos e disponíveis (fora de pausa).")
    online: int = Field(description="Atendentes online: ativos, disponíveis e vistos na janela.")
    online_capacity: int = Field(description="Soma das capacidades dos atendentes online.")
    online_active_conversations: int = Field(description="Conversas ativas dos atendentes online.")
    online_load: float | None = Field(description="Carga dos atendentes online (conversas ÷ capacidade).")
    items: list[AgentLoad] = Field(description="Por atendente (um atendente comum vê só a própria linha).")


class Timing(BaseModel):
    count: int = Field(description="Quantas conversas entram na conta.")
    average_minutes: float | None = Field(description="Média, em minutos corridos.")
    p90_minutes: float | None = Field(description="Percentil 90 (posto mais próximo), em minutos corridos.")


class TodayFigures(BaseModel):
    day_start: datetime = Field(description="Meia-noite de hoje no fuso do expediente, em UTC.")
    first_response: Timing = Field(
        description="Primeira resposta dada hoje: do início da conversa à resposta."
    )
    resolution: Timing = Field(description="Conversas resolvidas hoje: do início da conversa à resolução.")


class HourCount(BaseModel):
    hour_start: datetime = Field(description="Início da hora (UTC).")
    inbound: int = Field(description="Mensagens recebidas de clientes.")
    outbound: int = Field(description="Mensagens enviadas a clientes (notas internas fora).")


class MessagesFigures(BaseModel):
    inbound_24h: int
    outbound_24h: int
    hours: list[HourCount] = Field(description="As últimas 24 horas, a atual (parcial) por último.")


class SendFailures(BaseModel):
    last_hour: int = Field(description="Envios que falharam na última hora.")
    today: int = Field(description="Envios que falharam desde a meia-noite (fuso do expediente).")


class LiveMetrics(BaseModel):
    generated_at: datetime = Field(description="Quando o retrato foi calculado.")
    timezone: str = Field(
        description="Fuso do expediente, que define 'hoje'.", examples=["America/Sao_Paulo"]
    )
    conversations: ConversationsFigures
    queue: QueueFigures
    agents: AgentsFigures
    today: TodayFigures
    messages: MessagesFigures
    send_failures: SendFailures
    sla: dict[str, Any] = Field(description="Indicadores do pacote de SLA (em risco, violados…).")
    incidents: dict[str, Any] = Field(
        description="Indicadores do pacote de incidentes (abertos por gravidade…)."
    )
    satisfaction: dict[str, Any] = Field(description="Indicadores de satisfação (NPS dos últimos 30 dias…).")
