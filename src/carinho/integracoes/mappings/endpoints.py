"""`/api/mappings` (X-API-Key): list, new versions, test, active, versions, activate (rollback)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.mappings.models import MappingVersion
from carinho.integracoes.mappings.schemas import (
    EventType,
    MappingCreate,
    MappingOut,
    MappingTest,
    MappingTestResult,
    TargetSystem,
)
from carinho.integracoes.mappings.service import mapping_service
from carinho.kit.ids import PATH_NUMBER_MAX
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/mappings", tags=["mappings"])
_NO_MAPPING = documented({404: "No such mapping (or version) for the pair"})


def _out(row: MappingVersion) -> MappingOut:
    return MappingOut(
        id=row.id,
        event_type=row.event_type,
        target_system=row.target_system,
        version=row.version,
        spec=row.spec,
        description=row.description,
        is_active=row.is_active,
        created_by=row.created_by,
        created_at=row.created_at,
    )


@router.get("", response_model=list[MappingOut], summary="Active mappings")
async def list_mappings(
    session: SessionDep,
    _key: ApiKeyDep,
    event_type: Annotated[str | None, Query(max_length=80)] = None,
    target_system: Annotated[str | None, Query(max_length=40)] = None,
) -> list[MappingOut]:
    return [_out(r) for r in await mapping_service.listing(session, event_type, target_system)]


@router.post(
    "",
    status_code=201,
    response_model=MappingOut,
    summary="Create a new version (it becomes the active one)",
    responses=documented({422: "The spec does not compile", 409: "Concurrent change"}),
)
async def create_mapping(session: SessionDep, key: ApiKeyDep, body: MappingCreate) -> MappingOut:
    return _out(await mapping_service.create_version(session, body, created_by=f"api-key:{key.prefix}"))


@router.post(
    "/test",
    response_model=MappingTestResult,
    summary="Run a spec (or a pair's active mapping) on a sample payload or a stored event",
    responses=documented(
        {
            404: "No active mapping for the pair, or no such stored event",
            422: "The spec does not compile or its evaluation failed",
        }
    ),
)
async def test_mapping(session: SessionDep, _key: ApiKeyDep, body: MappingTest) -> MappingTestResult:
    return await mapping_service.test(session, body)


@router.get(
    "/{event_type}/{target_system}",
    response_model=MappingOut,
    summary="The active version",
    responses=_NO_MAPPING,
)
async def active_mapping(
    session: SessionDep, _key: ApiKeyDep, event_type: EventType, target_system: TargetSystem
) -> MappingOut:
    return _out(await mapping_service.get_active(session, event_type, target_system))


@router.get(
    "/{event_type}/{target_system}/versions",
    response_model=list[MappingOut],
    summary="Every version, newest first",
    responses=_NO_MAPPING,
)
async def mapping_versions(
    session: SessionDep, _key: ApiKeyDep, event_type: EventType, target_system: TargetSystem
) -> list[MappingOut]:
    return [_out(r) for r in await mapping_service.versions(session, event_type, target_system)]


@router.post(
    "/{event_type}/{target_system}/versions/{version}/activate",
    response_model=MappingOut,
    summary="Activate a version (rollback to an older one)",
    responses=_NO_MAPPING,
)
async def activate_mapping(
    session: SessionDep,
    _key: ApiKeyDep,
    event_type: EventType,
    target_system: TargetSystem,
    version: Annotated[int, Path(ge=1, le=PATH_NUMBER_MAX, description="The version number to make active.")],
) -> MappingOut:
    return _out(await mapping_service.activate(session, event_type, target_system, version))
