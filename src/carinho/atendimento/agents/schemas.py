from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.kit.emails import EmailAddress
from carinho.kit.text import NulFreeText


class AgentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    role_label: str
    level: SupportLevel
    active: bool
    available: bool
    capacity: int
    last_login_at: datetime | None
    created_at: datetime


class AgentCreate(BaseModel):
    name: NulFreeText = Field(min_length=1, max_length=120)
    email: EmailAddress
    role: Role = Role.agent
    level: SupportLevel = SupportLevel.n1
    capacity: int = Field(default=10, ge=1, le=500)


class AgentCreated(BaseModel):
    agent: AgentOut
    initial_password: str = Field(description="Mostrada uma única vez.")


class AgentUpdate(BaseModel):
    name: NulFreeText | None = Field(default=None, min_length=1, max_length=120)
    role: Role | None = None
    level: SupportLevel | None = None
    active: bool | None = None
    available: bool | None = None
    capacity: int | None = Field(default=None, ge=1, le=500)


class AvailabilityUpdate(BaseModel):
    available: bool


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class PasswordReset(BaseModel):
    new_password: str = Field(description="Mostrada uma única vez.")


class LoginRequest(BaseModel):
    email: NulFreeText = Field(min_length=3, max_length=190)
    password: str = Field(min_length=1, max_length=200)


class LoginResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    csrf_token: str = Field(description="Envie em X-CSRF-Token nas requisições autenticadas pelo cookie.")
    agent: AgentOut
