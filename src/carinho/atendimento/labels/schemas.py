from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"


class LabelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str
    description: str


class LabelCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    color: str = Field(
        default="#6B7280", pattern=COLOR_PATTERN, description="Cor em hexadecimal, ex.: #DC2626"
    )
    description: str = Field(default="", max_length=255)


class LabelUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=64)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)
    description: str | None = Field(default=None, max_length=255)
