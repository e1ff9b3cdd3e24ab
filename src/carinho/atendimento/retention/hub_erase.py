"""An erasure requested in atendimento reaches the hub too: the person's phone, name and messages
also pass through the hub's events (Z-API callbacks, forwards). A job, enqueued with the erasure,
asks the hub (connectors/integracoes) to erase by the same phone or e-mail, and is retried until the
hub confirms — by the worker's retries, then by the daily retention run, which enqueues again any
erasure whose job gave up. Both sides record it: the hub its own request (referencing this one),
atendimento the request's `hub_status` and `result["hub"]`, and the audit trail.

The job's arguments carry the identifier itself (the hub needs it), encrypted with the payload keys
when they are configured; done jobs are pruned from the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.retention.models import PrivacyRequest
from carinho.atendimento.retention.repository import RetentionRepository
from carinho.connectors.errors import ConnectorError
from carinho.connectors.integracoes.client import IntegracoesClient
from carinho.kit.clock import utcnow
from carinho.kit.crypto import cipher_for
from carinho.kit.data_subject import Subject
from carinho.logging import get_logger
from carinho.worker import enqueue
from carinho.worker.models import OutboxStatus
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)

HUB_ERASE_JOB = "atendimento.privacy_hub_erase"
PENDING = "pending"
DONE = "done"


def hub_configured() -> bool:
    return bool(runtime.current().settings.system_url("integracoes"))


def _cipher() -> Any:
    return cipher_for(runtime.current().settings.payload_encryption_keys.get_secret_value())


def reference_of(request: PrivacyRequest) -> str:
    return f"atendimento:privacy_request:{request.id}"


async def pass_on(session: AsyncSession, request: PrivacyRequest, subject: Subject, actor: Actor) -> None:
    """Mark the erasure pending in the hub and enqueue the job (same transaction)."""
    if not hub_configured():
        request.result = {**request.result, "hub": {"status": "not_configured"}}
        return
    request.hub_status = PENDING
    request.result = {**request.result, "hub": {"status": PENDING, "attempts": 0}}
    await _enqueue(session, request, subject, attempt_group=0)
    history_service.record(
        session,
        Action.hub_erase_requested,
        actor,
        details={"request_id": request.id, "subject": subject.masked},
    )


async def _enqueue(
    session: AsyncSession, request: PrivacyRequest, subject: Subject, attempt_group: int
) -> None:
    args = {
        "request_id": request.id,
        "kind": subject.kind,
        "value": _cipher().encrypt(subject.value),
    }
    await enqueue(session, HUB_ERASE_JOB, args, dedupe_key=f"{reference_of(request)}:hub:{attempt_group}")


async def run(session: AsyncSession, request_id: int, kind: str, value: str) -> None:
    """The job: ask the hub; on success record it, on failure raise (the worker retries)."""
    request = await RetentionRepository(session).request(request_id)
    if request is None or request.hub_status != PENDING:
        return
    identifier = _cipher().decrypt(value)
    hub = dict(request.result.get("hub") or {})
    hub["attempts"] = int(hub.get("attempts", 0)) + 1
    try:
        async with IntegracoesClient(runtime.current().settings) as client:
            answer = await client.privacy_request(
                kind="erase",
                phone=identifier if kind == "phone" else None,
                email=identifier if kind == "email" else None,
                reason=f"Exclusão solicitada no atendimento (solicitação {request.id}): {request.reason}"[
                    :2000
                ],
                reference=reference_of(request),
            )
    except ConnectorError as exc:
        # The attempt's count and error stay visible on the request: committed here, apart from
        # the job's outcome (the worker records the failure and retries).
        await session.rollback()
        request = await RetentionRepository(session).request(request_id)
        if request is not None:
            hub["last_error"] = str(exc)[:500]
            request.result = {**request.result, "hub": hub}
            await session.commit()
        log.warning("atendimento.privacy_hub_erase_failed", request_id=request_id, error=type(exc).__name__)
        raise
    now = utcnow()
    hub.update(
        status=DONE,
        hub_request_id=answer["id"],
        events=int((answer.get("result") or {}).get("events", 0)),
        completed_at=now.isoformat(),
    )
    hub.pop("last_error", None)
    request.hub_status = DONE
    request.result = {**request.result, "hub": hub}
    history_service.record(
        session,
        Action.hub_erased,
        Actor.system(),
        details={"request_id": request.id, "hub_request_id": answer["id"], "events": hub["events"]},
    )
    log.info("atendimento.privacy_hub_erased", request_id=request.id, hub_request_id=answer["id"])


async def resend_given_up(session: AsyncSession) -> int:
    """Enqueue again each pending erasure whose job gave up (run daily). The identifier is taken
    from the failed job's arguments: atendimento keeps it nowhere else after the erasure."""
    outbox = OutboxRepository(session, runtime.context_spec("atendimento").outbox)
    resent = 0
    for request in await RetentionRepository(session).requests_with_hub_status(PENDING):
        group, last = 0, None
        while (found := await outbox.find_by_dedupe_key(f"{reference_of(request)}:hub:{group}")) is not None:
            last, group = found, group + 1
        row = await outbox.get(last) if last is not None else None
        if row is not None and row.status == OutboxStatus.failed.value:
            await enqueue(
                session, HUB_ERASE_JOB, dict(row.args), dedupe_key=f"{reference_of(request)}:hub:{group}"
            )
            resent += 1
    return resent
