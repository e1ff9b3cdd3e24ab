"""API shapes of the mappings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from carinho.integracoes.mappings.engine import MAX_SPEC_CHARS

EventType = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
TargetSystem = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")]
Spec = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SPEC_CHARS)]


class MappingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event_type": "lead.created",
                    "target_system": "zapi",
                    "spec": "phone && {phone: phone, message: template('Olá, {n}!', {n: first_name(name)})}"
                    " || null",
                    "description": "Boas-vindas mais curta",
                }
            ]
        },
    )

    event_type: EventType
    target_system: TargetSystem
    spec: Spec = Field(description="A JMESPath expression (with the functions of docs/mapeamentos.md)")
    description: str = Field(default="", max_length=500)


class MappingOut(BaseModel):
    id: int
    event_type: str
    target_system: str
    version: int
    spec: str
    description: str
    is_active: bool
    created_by: str
    created_at: datetime


def _given(*fields: str) -> dict[str, Any]:
    """JSON Schema: every one of `fields` is present and not null."""
    return {"required": list(fields), "properties": {field: {"not": {"type": "null"}} for field in fields}}


class MappingTest(BaseModel):
    """Either `spec`, or `event_type` + `target_system` (their active mapping); and either `payload`
    (a sample) or `event_id` (a stored event)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event_type": "lead.created",
                    "target_system": "zapi",
                    "payload": {"name": "Maria Souza", "phone": "5511912345678"},
                }
            ],
            # What `_one_of_each` enforces, so that the document says it too.
            "allOf": [
                {"anyOf": [_given("spec"), _given("event_type", "target_system")]},
                {"oneOf": [_given("payload"), _given("event_id")]},
            ],
        },
    )

    spec: Spec | None = None
    event_type: EventType | None = None
    target_system: TargetSystem | None = None
    payload: dict[str, Any] | None = None
    event_id: int | None = Field(default=None, ge=1)
    context: dict[str, Any] = Field(default_factory=dict, description="the `_context` facts of the flow")

    @model_validator(mode="after")
    def _one_of_each(self) -> MappingTest:
        if self.spec is None and not (self.event_type and self.target_system):
            raise ValueError("give a spec, or an event_type and a target_system")
        if (self.payload is None) == (self.event_id is None):
            raise ValueError("give exactly one of payload or event_id")
        return self


class MappingTestResult(BaseModel):
    output: Any
    event_type: str | None = None
    target_system: str | None = None
    version: int | None = Field(default=None, description="the mapping version used (None for a spec)")
