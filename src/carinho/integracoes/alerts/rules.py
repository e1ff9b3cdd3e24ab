"""The kinds of alert, their defaults and how each is described to a person (pt-BR)."""

from __future__ import annotations

from dataclasses import dataclass

from carinho.backups.runs import DAILY_ATTEMPTS


@dataclass(frozen=True)
class RuleKind:
    kind: str
    label: str
    # What the threshold and window mean for this kind (shown beside the form's fields).
    threshold_label: str
    window_label: str
    default_threshold: float
    default_window_minutes: int
    # True: the condition must hold for the whole window before the alert opens (backlog);
    # False: the window is the span the condition is measured over.
    sustained: bool = False


KINDS: dict[str, RuleKind] = {
    k.kind: k
    for k in (
        RuleKind(
            "lane_backlog",
            "Fila acumulada",
            "itens aguardando na fila (acima de)",
            "por pelo menos (minutos)",
            100,
            5,
            sustained=True,
        ),
        RuleKind(
            "failure_rate",
            "Taxa de falhas",
            "% de eventos com falha (acima de)",
            "nos últimos (minutos)",
            20,
            15,
        ),
        RuleKind(
            "dlq_growth",
            "Crescimento da DLQ",
            "novos itens na DLQ (pelo menos)",
            "nos últimos (minutos)",
            10,
            15,
        ),
        RuleKind(
            "sync_failing",
            "Sincronização falhando",
            "execuções seguidas com falha (pelo menos)",
            "(não usado)",
            2,
            0,
        ),
        RuleKind(
            "target_down",
            "Sistema de destino fora do ar",
            "itens novos na DLQ do sistema (pelo menos)",
            "nos últimos (minutos)",
            5,
            15,
        ),
        RuleKind(
            "no_leader",
            "Agendador sem líder",
            "(não usado)",
            "sem batida do agendador há (minutos)",
            0,
            2,
        ),
        RuleKind(
            "backup_failed",
            "Backup diário falhando",
            "tentativas seguidas com falha (pelo menos)",
            "sem backup bem-sucedido há (minutos)",
            DAILY_ATTEMPTS,
            26 * 60,
        ),
    )
}

# Below this many events in the window the failure rate says nothing (one failure of two is 50 %).
FAILURE_RATE_MIN_EVENTS = 5
