from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str | None
    name: str
    category: str
    body: str
    active: bool
    updated_at: datetime


class TemplateCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=32)
    body: str = Field(min_length=1, max_length=4096)


class TemplateUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    category: str | None = Field(default=None, min_length=1, max_length=32)
    body: str | None = Field(default=None, min_length=1, max_length=4096)
    active: bool | None = None


class TemplateCatalogue(BaseModel):
    variables: dict[str, str]
    categories: dict[str, str]


class TemplatePreview(BaseModel):
    text: str
