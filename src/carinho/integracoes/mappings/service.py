"""Mappings: versions (create, activate = rollback), the test endpoint, the defaults, and `render`,
which the automations and syncs use to build every outbound payload."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.errors import Conflict, NotFound, ValidationFailed
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.mappings.cache import ActiveMapping, GenerationKey, mapping_cache
from carinho.integracoes.mappings.catalog import known_event_types, known_target_systems
from carinho.integracoes.mappings.defaults import DEFAULT_MAPPINGS
from carinho.integracoes.mappings.engine import MappingError, evaluate, validate_spec
from carinho.integracoes.mappings.models import MappingVersion
from carinho.integracoes.mappings.repository import MappingRepository
from carinho.integracoes.mappings.schemas import MappingCreate, MappingTest, MappingTestResult
from carinho.kit.clock import utcnow
from carinho.kit.crypto import cipher_for
from carinho.logging import get_logger

log = get_logger(__name__)

# Version 1 of a pair started empty: the event's type and id, for the admin to build on.
STARTER_SPEC = "{event_type: _event.type, event_id: _event.id}"


class MappingMissing(LookupError):
    """No active mapping for the pair."""


def document(
    payload: dict[str, Any],
    *,
    event: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The input of a mapping: the payload plus `_event` and `_context`."""
    return {**payload, "_event": event or {}, "_context": context or {}}


def _unprocessable(exc: MappingError) -> ValidationFailed:
    return ValidationFailed(
        f"mapping {exc.kind} error: {exc}",
        details=[{"field": "spec", "message": str(exc), "type": f"mapping_{exc.kind}"}],
    )


class MappingService:
    async def listing(
        self, session: AsyncSession, event_type: str | None, target_system: str | None
    ) -> list[MappingVersion]:
        return list(await MappingRepository(session).listing(event_type, target_system))

    async def get_active(self, session: AsyncSession, event_type: str, target_system: str) -> MappingVersion:
        row = await MappingRepository(session).get_active(event_type, target_system)
        if row is None:
            raise NotFound(f"no active mapping for {event_type} → {target_system}")
        return row

    async def versions(
        self, session: AsyncSession, event_type: str, target_system: str
    ) -> list[MappingVersion]:
        rows = list(await MappingRepository(session).versions(event_type, target_system))
        if not rows:
            raise NotFound(f"no mapping for {event_type} → {target_system}")
        return rows

    async def create_version(
        self, session: AsyncSession, data: MappingCreate, created_by: str = ""
    ) -> MappingVersion:
        """A new version of the pair, active from now on."""
        try:
            validate_spec(data.spec)
        except MappingError as exc:
            raise _unprocessable(exc) from None
        repo = MappingRepository(session)
        version = await repo.last_version(data.event_type, data.target_system) + 1
        await repo.deactivate_pair(data.event_type, data.target_system)
        now = utcnow()
        row = repo.add(
            MappingVersion(
                event_type=data.event_type,
                target_system=data.target_system,
                version=version,
                spec=data.spec,
                description=data.description,
                is_active=True,
                created_by=created_by[:80],
                created_at=now,
                updated_at=now,
            )
        )
        await repo.bump_generation()
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict("another version of this mapping was created at the same time; retry") from None
        log.info(
            "mapping.version_created", event_type=data.event_type, system=data.target_system, version=version
        )
        return row

    async def create_pair(
        self,
        session: AsyncSession,
        event_type: str,
        target_system: str,
        *,
        copy_from: tuple[str, str] | None = None,
        description: str = "",
        created_by: str = "",
    ) -> MappingVersion:
        """Version 1 of a new (event type, target system) pair: the starter expression, or a copy
        of another pair's active version. Refused for a type or system the hub does not know
        (ValidationFailed, the field in `details`) and for a pair that already exists (Conflict)."""
        if event_type not in await known_event_types(session):
            raise ValidationFailed(
                f"unknown event type {event_type!r}",
                details=[{"field": "event_type", "message": "unknown event type", "type": "unknown"}],
            )
        if target_system not in await known_target_systems(session):
            raise ValidationFailed(
                f"unknown target system {target_system!r}",
                details=[{"field": "target_system", "message": "unknown target system", "type": "unknown"}],
            )
        if await MappingRepository(session).last_version(event_type, target_system):
            raise Conflict(f"the mapping {event_type} → {target_system} already exists")
        spec = STARTER_SPEC
        if copy_from is not None:
            spec = (await self.get_active(session, *copy_from)).spec
        data = MappingCreate(
            event_type=event_type, target_system=target_system, spec=spec, description=description
        )
        return await self.create_version(session, data, created_by=created_by)

    async def activate(
        self, session: AsyncSession, event_type: str, target_system: str, version: int
    ) -> MappingVersion:
        """Make an existing version the active one (a rollback when it is older)."""
        repo = MappingRepository(session)
        row = await repo.get_version(event_type, target_system, version)
        if row is None:
            raise NotFound(f"mapping {event_type} → {target_system} has no version {version}")
        if not row.is_active:
            await repo.deactivate_pair(event_type, target_system)
            row.is_active = True
            row.updated_at = utcnow()
            await repo.bump_generation()
            await session.flush()
            log.info(
                "mapping.version_activated", event_type=event_type, system=target_system, version=version
            )
        return row

    async def test(self, session: AsyncSession, request: MappingTest) -> MappingTestResult:
        mapping: ActiveMapping | None = None
        spec = request.spec
        if spec is None:
            assert request.event_type and request.target_system
            mapping = await mapping_cache.get(session, request.event_type, request.target_system)
            if mapping is None:
                raise NotFound(f"no active mapping for {request.event_type} → {request.target_system}")
            spec = mapping.spec
        payload, event = await self._test_input(session, request)
        try:
            validate_spec(spec)
            output = evaluate(spec, document(payload, event=event, context=request.context))
        except MappingError as exc:
            raise _unprocessable(exc) from None
        return MappingTestResult(
            output=output,
            event_type=mapping.event_type if mapping else request.event_type,
            target_system=mapping.target_system if mapping else request.target_system,
            version=mapping.version if mapping else None,
        )

    async def _test_input(
        self, session: AsyncSession, request: MappingTest
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if request.payload is not None:
            meta = {"type": request.event_type, "source": "test"} if request.event_type else {}
            return request.payload, meta
        assert request.event_id is not None
        event = await session.get(IntegrationEvent, request.event_id)
        if event is None:
            raise NotFound(f"event {request.event_id} not found")
        keys = runtime.current().settings.payload_encryption_keys.get_secret_value()
        payload = json.loads(cipher_for(keys).decrypt(event.payload))
        return payload, event_meta(event.id, event.event_type, event.source, event.created_at.isoformat())

    async def seed_defaults(self, session: AsyncSession) -> int:
        """Version 1 of every default mapping whose pair has no version yet (idempotent)."""
        repo = MappingRepository(session)
        created = 0
        now = utcnow()
        for default in DEFAULT_MAPPINGS:
            if await repo.last_version(default.event_type, default.target_system):
                continue
            repo.add(
                MappingVersion(
                    event_type=default.event_type,
                    target_system=default.target_system,
                    version=1,
                    spec=default.spec,
                    description=default.description,
                    is_active=True,
                    created_by="default",
                    created_at=now,
                    updated_at=now,
                )
            )
            created += 1
        if created:
            await repo.bump_generation()
            await session.flush()
            log.info("mapping.defaults_seeded", created=created)
        return created

    async def render(
        self,
        session: AsyncSession,
        event_type: str,
        target_system: str,
        payload: dict[str, Any],
        *,
        event: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        generation: GenerationKey | None = None,
    ) -> tuple[Any, ActiveMapping]:
        """The active mapping's output for this payload. MappingMissing or MappingError otherwise.
        `generation`: the mappings' counter as the caller read it (a flow run, at its start; see
        `mappings.cache`), else it is read here."""
        mapping = await mapping_cache.get(session, event_type, target_system, known=generation)
        if mapping is None:
            raise MappingMissing(f"no active mapping for {event_type} → {target_system}")
        return evaluate(mapping.spec, document(payload, event=event, context=context)), mapping


@dataclass(frozen=True)
class MappingOutput:
    """What one active mapping makes of an event's payload (or why it could not)."""

    target_system: str
    version: int
    output: Any = None
    error: str | None = None


async def outputs_for_event(
    session: AsyncSession, event_type: str, payload: dict[str, Any], *, event: dict[str, Any]
) -> list[MappingOutput]:
    """Every active mapping of the event's type applied to its payload, as its steps and deliveries
    render them (no `_context`: what a step adds, such as the CRM's lead id, is not known here)."""
    outputs: list[MappingOutput] = []
    for row in await MappingRepository(session).listing(event_type, None):
        try:
            outputs.append(
                MappingOutput(
                    row.target_system, row.version, evaluate(row.spec, document(payload, event=event))
                )
            )
        except MappingError as exc:
            outputs.append(MappingOutput(row.target_system, row.version, error=str(exc)))
    return outputs


def event_meta(event_id: int, event_type: str, source: str, created_at: str) -> dict[str, Any]:
    return {"id": event_id, "type": event_type, "source": source, "created_at": created_at}


mapping_service = MappingService()
