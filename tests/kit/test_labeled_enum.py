"""LabeledEnum: a member is its value (stored, sent, compared) and carries what a person reads."""

from __future__ import annotations

import json

from carinho.atendimento.agents.roles import Role
from carinho.atendimento.escalation.models import RuleKind as EscalationRule
from carinho.atendimento.funnel.models import FunnelStage
from carinho.atendimento.inbox.models import ConversationStatus, Priority
from carinho.atendimento.incidents.models import DeliveryState, IncidentStatus, Severity, TimelineAction
from carinho.atendimento.retention.models import DataClass
from carinho.atendimento.sla.models import SlaStatus, Target
from carinho.atendimento.triage.models import QuestionType
from carinho.integracoes.operators.roles import OperatorRole
from carinho.kit.labeled_enum import LabeledEnum


class Size(LabeledEnum):
    small = "small", "Pequeno"
    large = "large", "Grande"

    @property
    def rank(self) -> int:
        return [*Size].index(self)


def test_a_member_is_its_value_and_has_its_label() -> None:
    assert Size.small == "small" and Size("large") is Size.large
    assert Size.small.value == "small" and str(Size.small) == "small" and f"{Size.large}" == "large"
    assert Size.small.label == "Pequeno" and Size.large.rank == 1
    assert json.dumps({"size": Size.small}) == '{"size": "small"}'
    assert [s.value for s in Size] == ["small", "large"]


def test_every_labeled_enum_of_the_apps_labels_every_member() -> None:
    enums = [
        Role,
        OperatorRole,
        EscalationRule,
        FunnelStage,
        ConversationStatus,
        Priority,
        DeliveryState,
        IncidentStatus,
        Severity,
        TimelineAction,
        DataClass,
        SlaStatus,
        Target,
        QuestionType,
    ]
    for enum in enums:
        assert issubclass(enum, LabeledEnum)
        for member in enum:
            assert member.label.strip(), f"{enum.__name__}.{member.name} has no label"
