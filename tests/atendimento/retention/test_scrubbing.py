"""How an audit entry loses its personal values but keeps its structure (property tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from carinho.atendimento.retention.scrubbing import REMOVED, scrub_audit_value, scrub_extra
from carinho.atendimento.retention.service import months_before
from carinho.kit.data_subject import phone_variants

keys = st.sampled_from(
    ["reason", "status", "note", "rule_id", "level", "label", "name", "phone", "from", "x"]
)
leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shape(v) for v in value]
    return None


@given(st.dictionaries(keys, values, max_size=6))
def test_scrubbing_keeps_the_shape_and_is_idempotent(entry: dict[str, Any]) -> None:
    once = scrub_audit_value(entry)
    assert scrub_audit_value(once) == once
    assert shape(once) == shape(entry)
    for key in ("reason", "note", "name", "phone", "x"):
        if isinstance(entry.get(key), str):
            assert once[key] == REMOVED


def test_structural_values_stay_and_free_text_goes() -> None:
    entry = {
        "reason": "Dona Maria (11) 91234-5678 pediu supervisor",
        "rule_id": 7,
        "status": "open",
        "assignee_name": "Rita",
        "phone": 5511912345678,
        "fields": ["name", "email"],
        "nested": {"level": "N2", "comment": "mora na Rua A"},
    }
    assert scrub_audit_value(entry) == {
        "reason": REMOVED,
        "rule_id": 7,
        "status": "open",
        "assignee_name": "Rita",
        "phone": REMOVED,
        "fields": ["name", "email"],
        "nested": {"level": "N2", "comment": REMOVED},
    }
    assert scrub_extra({"location": {"address": "Rua A"}, "seconds": 12, "contact": {}}) == {"seconds": 12}


def test_months_are_calendar_months_and_the_ninth_digit_is_optional() -> None:
    assert months_before(datetime(2026, 3, 31, 12, tzinfo=UTC), 1) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert months_before(datetime(2026, 12, 1, tzinfo=UTC), 24) == datetime(2024, 12, 1, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)
    assert phone_variants("5511912345678") == ("5511912345678", "551112345678")
    assert phone_variants("551187654321") == ("551187654321", "5511987654321")
    assert phone_variants("551132345678") == ("551132345678",)  # a landline has no ninth digit
