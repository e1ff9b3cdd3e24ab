"""Satisfaction surveys of the benchmark's data set (`build(..., surveys=True)`): one survey per
finished conversation, sent a few minutes after it ended (so spread over the 90 days), about 40 %
answered (NPS 0–10, CSAT 1–5 on most answers, a comment on some, by WhatsApp or the link), the
agent, level and labels snapshotted as the service does; a follow-up for each detractor, the older
ones done and the last week's open.

A random generator of its own (seeded from the data set's seed): the other tables stay the same
with or without surveys.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bench.atendimento_rows import ConversationPlan, Loader

COMMENTS = [
    "Atendimento muito atencioso, a cuidadora chegou no horário.",
    "Demoraram para responder no primeiro contato.",
    "Gostei da paciência da atendente com a minha mãe.",
    "O orçamento veio rápido e claro.",
    "Precisei repetir as informações duas vezes.",
    "Resolveram tudo pelo WhatsApp, excelente.",
    "A profissional de enfermagem foi ótima com meu pai.",
    "Ninguém me retornou sobre a troca de plantão.",
]
FOLLOWUP_NOTES = ["Liguei para a família e reagendamos.", "Conversa com a coordenação; desconto aplicado."]


def survey_rows(
    seed: int,
    now: datetime,
    convs: list[ConversationPlan],
    conversation_labels: list[dict[str, Any]],
    label_names: dict[int, str],
    supervisor_id: int,
    loader: Loader,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(surveys, follow-ups) for the finished conversations of `convs`."""
    rng = random.Random(seed * 1_000 + 17)
    labels: dict[int, list[str]] = {}
    for link in conversation_labels:
        labels.setdefault(link["conversation_id"], []).append(label_names[link["label_id"]])
    surveys: list[dict[str, Any]] = []
    followups: list[dict[str, Any]] = []
    for conv in convs:
        if conv.status not in ("resolved", "closed"):
            continue
        sent = conv.end + timedelta(minutes=5)
        if sent >= now:
            continue
        row: dict[str, Any] = {
            "id": loader.next_id("satisfaction_surveys"),
            "source": "conversation",
            "status": "sent",
            "token": f"{rng.getrandbits(256):064x}",
            "contact_id": conv.contact,
            "conversation_id": conv.id,
            "conversation_key": conv.id,
            "service_id": None,
            "agent_id": conv.assignee,
            "level": conv.level,
            "labels": labels.get(conv.id, []),
            "sent_at": sent,
            "message_id": None,
            "reminded_at": None,
            "reminder_message_id": None,
            "score": None,
            "csat": None,
            "comment": None,
            "answered_at": None,
            "answer_channel": None,
            "late": False,
            "comment_until": None,
            "created_at": sent,
            "updated_at": sent,
        }
        if sent + timedelta(hours=24) < now and rng.random() < 0.55:
            row["reminded_at"] = sent + timedelta(hours=24)
        if rng.random() < 0.4:
            answered = sent + timedelta(minutes=rng.choice([3, 20, 90, 600, 2_000, 12_000]))
            if answered < now:
                score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 5, 9, 14, 26, 35])[0]
                row.update(
                    status="answered",
                    score=score,
                    csat=rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 12, 30, 49])[0]
                    if rng.random() < 0.8
                    else None,
                    comment=rng.choice(COMMENTS) if rng.random() < 0.35 else None,
                    answered_at=answered,
                    answer_channel=rng.choice(["whatsapp", "whatsapp", "link"]),
                    late=answered - sent > timedelta(days=7),
                    updated_at=answered,
                )
                if score <= 6:
                    done = answered < now - timedelta(days=7) or rng.random() < 0.3
                    done_at = min(now, answered + timedelta(hours=rng.uniform(1, 30)))
                    followups.append(
                        {
                            "id": loader.next_id("satisfaction_followups"),
                            "survey_id": row["id"],
                            "conversation_id": conv.id,
                            "status": "done" if done else "open",
                            "assignee_id": supervisor_id if done or rng.random() < 0.5 else None,
                            "due_at": answered + timedelta(hours=8),
                            "note": rng.choice(FOLLOWUP_NOTES) if done else None,
                            "done_at": done_at if done else None,
                            "done_by_id": supervisor_id if done else None,
                            "created_at": answered,
                            "updated_at": answered,
                        }
                    )
        surveys.append(row)
    return surveys, followups
