"""What anonymised values look like, and how an audit entry keeps its structure but loses its
personal values. Pure functions: the repository writes what these return."""

from __future__ import annotations

from typing import Any

from carinho.kit.masking import mask_text

# What a person reads where the text used to be (the UI shows it as the message).
RETENTION_MARKER = "[removido pela política de retenção]"
ERASURE_MARKER = "[removido a pedido do titular dos dados]"
MARKERS = (RETENTION_MARKER, ERASURE_MARKER)
REMOVED = "[removido]"
PSEUDONYM_PHONE_PREFIX = "anon-"

# Keys of an audit entry's before/after/details whose string values are structure, not personal
# data: ids, codes, statuses, names of our own catalogue (labels, templates) and of agents.
STRUCTURAL_KEYS = frozenset(
    {
        "action",
        "answered",
        "assignee_name",
        "automation",
        "category",
        "channel",
        "claimed",
        "counts",
        "data_class",
        "delivery_status",
        "disqualified_by",
        "fields",
        "from",
        "funnel_stage",
        "kind",
        "label",
        "lane",
        "level",
        "loss_reason",
        "months",
        "outcome",
        "priority",
        "question",
        "rule",
        "severity",
        "stage",
        "state",
        "status",
        "target",
        "template",
        "to",
        "trigger",
        "version",
    }
)
STRUCTURAL_SUFFIXES = (
    "_id",
    "_ids",
    "_at",
    "_code",
    "_kind",
    "_level",
    "_stage",
    "_status",
    "_type",
    "_count",
    "_minutes",
    "_seconds",
)
# Message `extra` keys that carry no personal data (durations, button ids, counters).
NEUTRAL_EXTRA_KEYS = frozenset({"seconds", "selection_id", "sent_from_phone", "manual_retries"})


def pseudonym_phone(contact_id: int) -> str:
    """Stable and unique (the phone column is), and never a phone number."""
    return f"{PSEUDONYM_PHONE_PREFIX}{contact_id}"


def pseudonym_name(contact_id: int) -> str:
    return f"Contato anonimizado #{contact_id}"


def is_structural(key: str) -> bool:
    normalised = key.lower()
    return normalised in STRUCTURAL_KEYS or normalised.endswith(STRUCTURAL_SUFFIXES)


def scrub_audit_value(value: Any, *, keep: bool = False) -> Any:
    """Keep the shape (keys, lists, numbers, booleans) and the strings under structural keys;
    replace every other string by REMOVED. Idempotent: scrubbing twice changes nothing more."""
    if isinstance(value, dict):
        return {k: scrub_audit_value(v, keep=keep or is_structural(str(k))) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_audit_value(v, keep=keep) for v in value]
    if isinstance(value, str):
        return mask_text(value) if keep else (value if value == REMOVED else REMOVED)
    if isinstance(value, int) and not isinstance(value, bool) and not keep and abs(value) >= 10**9:
        return REMOVED  # a phone or CPF typed as a number
    return value


def scrub_extra(extra: dict[str, Any] | None) -> dict[str, Any]:
    """A message's `extra` without shared locations and contact cards."""
    return {k: v for k, v in (extra or {}).items() if k in NEUTRAL_EXTRA_KEYS}
