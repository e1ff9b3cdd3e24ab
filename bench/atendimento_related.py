"""Rows around each conversation of the benchmark's data set: labels, funnel moves, escalations,
triage sessions and answers, the audit trail, and SLA states, targets and breaches."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from bench.atendimento_rows import ConversationPlan, Generator, Loader
from bench.atendimento_texts import (
    ESCALATION_REASONS,
)

STAGE_PATH = ["new", "in_service", "qualified", "proposal_sent"]


def related_rows(
    gen: Generator,
    conv: ConversationPlan,
    row: dict[str, Any],
    loader: Loader,
    refs: dict[str, Any],
    out: dict[str, list[dict[str, Any]]],
) -> None:
    """Labels, SLA state and targets, funnel moves, escalations, triage and the audit trail."""
    rng = gen.rng
    created, cid = conv.created, conv.id
    names = refs["agent_names"]
    holder = names.get(conv.assignee, "Sistema")

    def history(action: str, at: datetime, *, agent: int | None = None, **extra: Any) -> None:
        out["history_entries"].append(
            {
                "id": loader.next_id("history_entries"),
                "conversation_id": cid,
                "action": action,
                "actor_type": "agent" if agent else "system",
                "actor_id": agent,
                "actor_name": names.get(agent, "Sistema") if agent else "Sistema",
                "before": extra.get("before"),
                "after": extra.get("after"),
                "details": extra.get("details"),
                "request_id": None,
                "created_at": at,
            }
        )

    history("conversation.created", created)
    history("sla.applied", created, after={"priority": conv.priority})
    if conv.assignee:
        history(
            "conversation.assigned",
            row["assigned_at"],
            after={"assignee_id": conv.assignee, "assignee_name": holder},
            details={"rule": "round_robin"},
        )
    for label in rng.sample(refs["labels"], k=gen.rng.choices([0, 1, 2, 3], weights=[45, 35, 15, 5])[0]):
        out["conversation_labels"].append({"conversation_id": cid, "label_id": label})
        history("label.added", created + timedelta(minutes=5), agent=conv.assignee, after={"label_id": label})
    # Funnel: the path to the stage (lost may happen from any open stage).
    path = STAGE_PATH[: STAGE_PATH.index(conv.stage) + 1] if conv.stage in STAGE_PATH else None
    if path is None:
        path = [*STAGE_PATH[: rng.randint(1, 4)], conv.stage]
    span = (conv.end - created) / max(1, len(path))
    for step, (before, after) in enumerate(itertools.pairwise(path)):
        at = created + span * (step + 1)
        out["funnel_transitions"].append(
            {
                "id": loader.next_id("funnel_transitions"),
                "conversation_id": cid,
                "contact_id": conv.contact,
                "from_stage": before,
                "to_stage": after,
                "actor_type": "agent",
                "agent_id": conv.assignee,
                "loss_reason_id": row["loss_reason_id"] if after == "lost" else None,
                "note": row["loss_note"] if after == "lost" else None,
                "created_at": at,
            }
        )
        history("funnel.moved", at, agent=conv.assignee, before={"stage": before}, after={"stage": after})
    # Escalations to the conversation's level.
    if conv.level != "N1":
        steps = [("N1", "N2")] + ([("N2", "N3")] if conv.level == "N3" else [])
        for k, (low, high) in enumerate(steps):
            at = created + timedelta(minutes=10 * (k + 1))
            out["escalations"].append(
                {
                    "id": loader.next_id("escalations"),
                    "conversation_id": cid,
                    "direction": "up",
                    "from_level": low,
                    "to_level": high,
                    "reason": gen.say(ESCALATION_REASONS, conv.context),
                    "rule_id": None,
                    "agent_id": None,
                    "assignee_before_id": None,
                    "assignee_after_id": conv.assignee,
                    "notify_operacao": False,
                    "operacao_status": None,
                    "operacao_attempts": 0,
                    "operacao_protocol": None,
                    "operacao_error": None,
                    "operacao_delivered_at": None,
                    "created_at": at,
                }
            )
            history("conversation.escalated", at, before={"level": low}, after={"level": high})
    # Triage on about a third of the conversations.
    if rng.random() < 0.35:
        done = conv.status not in ("open", "pending", "waiting_customer") or rng.random() < 0.3
        session_id = loader.next_id("triage_sessions")
        out["triage_sessions"].append(
            {
                "id": session_id,
                "conversation_id": cid,
                "checklist_id": refs["checklist"],
                "status": "completed" if done else "in_progress",
                "outcome": gen.pick({"qualified": 75, "not_qualified": 25}) if done else None,
                "completed_at": created + timedelta(minutes=30) if done else None,
                "created_at": created,
                "updated_at": created + timedelta(minutes=30),
            }
        )
        questions = refs["questions"] if done else refs["questions"][: rng.randint(1, 5)]
        for question in questions:
            out["triage_answers"].append(
                {
                    "id": loader.next_id("triage_answers"),
                    "session_id": session_id,
                    "question_id": question["id"],
                    "value": triage_answer(gen, question, conv),
                    "answered_by_id": conv.assignee,
                    "answered_at": created + timedelta(minutes=15),
                }
            )
    sla_rows(gen, conv, row, loader, refs, out, history)
    if conv.status in ("resolved", "closed"):
        history(
            "conversation.status_changed",
            conv.end,
            agent=conv.assignee,
            before={"status": "open"},
            after={"status": "resolved"},
        )


def triage_answer(gen: Generator, question: dict[str, Any], conv: ConversationPlan) -> Any:
    rng, qtype, options = gen.rng, question["qtype"], question["options"]
    if qtype == "single_choice":
        return rng.choice(options)
    if qtype == "multiple_choice":
        return sorted(rng.sample(options, k=rng.randint(1, 2)), key=options.index)
    if qtype == "number":
        return rng.randint(68, 97) if "idade" in question["code"] else rng.randint(4, 24)
    if qtype == "yes_no":
        return rng.random() < 0.9
    if qtype == "date":
        return (conv.created + timedelta(days=rng.randint(1, 20))).date().isoformat()
    return f"{conv.context['bairro']}, São Paulo" if "cidade" in question["code"] else conv.context["cond"]


def sla_rows(
    gen: Generator,
    conv: ConversationPlan,
    row: dict[str, Any],
    loader: Loader,
    refs: dict[str, Any],
    out: dict[str, list[dict[str, Any]]],
    history: Any,
) -> None:
    rng, now = gen.rng, gen.now
    policy = refs["policies"][conv.priority]
    active = row["active_contact_id"] is not None
    overall = "met"
    targets: list[dict[str, Any]] = []

    def target(kind: str, cycle: int, started: datetime, ended: datetime | None, status: str) -> None:
        minutes = policy[f"{kind}_minutes"]
        due = started + timedelta(minutes=minutes)
        if ended is None and status == "breached":
            due = now - timedelta(minutes=rng.uniform(2, 240))
        elif ended is None and status == "at_risk":
            due = now + timedelta(minutes=rng.uniform(1, 30))
        elif ended is None:
            due = max(due, now + timedelta(minutes=rng.uniform(5, minutes + 5)))
        at_risk = due - timedelta(minutes=minutes * (100 - policy["at_risk_percent"]) / 100)
        late = ended is not None and ended > due
        wall = ((ended or now) - started).total_seconds() / 60
        targets.append(
            {
                "id": loader.next_id("sla_targets"),
                "conversation_id": conv.id,
                "target": kind,
                "cycle": cycle,
                "priority": conv.priority,
                "target_minutes": minutes,
                "status": "met" if ended else status,
                "started_at": started,
                "at_risk_at": at_risk,
                "due_at": due,
                "paused_since": row["status_changed_at"]
                if conv.status == "waiting_customer" and not ended
                else None,
                "paused_business_minutes": 0.0,
                "revision": 1,
                "at_risk_since": at_risk if (late or status in ("at_risk", "breached")) else None,
                "breached_at": due if (late or (not ended and status == "breached")) else None,
                "ended_at": ended,
                "met_in_time": (not late) if ended else None,
                "business_minutes": round(wall * 0.8, 2) if ended else None,
                "wall_minutes": round(wall, 2) if ended else None,
                "agent_id": conv.assignee,
                "created_at": started,
                "updated_at": ended or now,
            }
        )

    first = row["first_response_at"]
    if active:
        overall = gen.pick({"ok": 60, "at_risk": 22, "breached": 18})
        target("first_response", 1, conv.created, first, overall if first is None else "met")
        if first is not None and row["waiting_since"] is not None:
            target("next_response", 2, row["waiting_since"], None, overall)
        target("resolution", 1, conv.created, None, overall if first is not None else "ok")
    else:
        target("first_response", 1, conv.created, first or conv.end, "met")
        target("resolution", 1, conv.created, conv.end, "met")
    for t in targets:
        if t["breached_at"] is not None:
            out["sla_breaches"].append(
                {
                    "id": loader.next_id("sla_breaches"),
                    "conversation_id": conv.id,
                    "target_id": t["id"],
                    "target": t["target"],
                    "revision": 1,
                    "priority": conv.priority,
                    "due_at": t["due_at"],
                    "detected_at": t["due_at"] + timedelta(seconds=30),
                    "overdue_business_minutes": round(
                        ((t["ended_at"] or now) - t["due_at"]).total_seconds() / 75, 3
                    ),
                    "ended_at": t["ended_at"],
                    "assignee_id": conv.assignee,
                    "assignee_name": refs["agent_names"].get(conv.assignee),
                    "level": conv.level,
                }
            )
            history("sla.breached", t["due_at"] + timedelta(seconds=30), after={"target": t["target"]})
    out["sla_targets"].extend(targets)
    out["sla_conversations"].append(
        {
            "id": loader.next_id("sla_conversations"),
            "conversation_id": conv.id,
            "priority": conv.priority,
            "started_at": conv.created,
            "status": overall,
            "paused_since": row["status_changed_at"] if conv.status == "waiting_customer" else None,
            "paused_business_minutes": 0.0,
            "pauses": [],
            "created_at": conv.created,
            "updated_at": conv.end,
        }
    )
