"""Where each package declares the personal data it holds, so that a data-subject request (export,
erase) and the retention job reach all of it. The inbox's own tables are handled by the retention
package; a package with more (surveys, incidents) registers a `PersonalDataSource` in its
`privacy.py`, imported by its `receivers.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class PersonalDataSource(Protocol):
    # Stable name: the key of this source's section in an export ("satisfaction", "incidents").
    name: str

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        """Everything this source holds about these contacts, JSON-ready."""
        ...

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        """Scrub the personal content (free text, names, phones) of these contacts' rows, keeping
        the rows that aggregates and the audit trail count. Returns how many rows changed."""
        ...

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        """Scrub this source's rows of `data_class` ("message_text", "attachments", "contact_data",
        "audit_trail") created before `before`. Returns how many rows changed."""
        ...


_sources: dict[str, PersonalDataSource] = {}


def register(source: PersonalDataSource) -> PersonalDataSource:
    _sources[source.name] = source
    return source


def sources() -> list[PersonalDataSource]:
    return list(_sources.values())
