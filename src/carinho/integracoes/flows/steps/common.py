"""What every business step shares: connectors, the active mapping's output, earlier steps'
outputs, and sending a WhatsApp message or e-mail exactly once per dedupe key.

Steps never open a transaction on `ctx.session` before an outbound call (on SQLite every
transaction holds the write lock): reads go through short sessions of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import timedelta
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.flows.step_api import StepContext, StepError, is_local
from carinho.integracoes.flows.steps.models import MessageStatus, OutboundMessage
from carinho.integracoes.flows.steps.repository import StepsRepository
from carinho.integracoes.mappings.cache import GenerationKey
from carinho.integracoes.mappings.engine import MappingError
from carinho.integracoes.mappings.service import MappingMissing, event_meta, mapping_service
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
SEND_LEASE = timedelta(minutes=5)


def settings() -> Settings:
    return runtime.current().settings


def _db() -> Any:
    return runtime.current().db("integracoes")


def event_document(ctx: StepContext) -> dict[str, Any]:
    event = ctx.event
    return event_meta(event.id, event.event_type, event.source, event.created_at.isoformat())


_MISSING_FAILS: Any = object()


def read_session() -> AbstractAsyncContextManager[AsyncSession]:
    """A short read-only session of the hub's database, for a step that reads several things
    before its outbound call (`render`, `raw_body`, `previous_outputs` take it): one transaction
    for all of them instead of one each."""
    return cast(AbstractAsyncContextManager[AsyncSession], _db().read_session())


def _reading(session: AsyncSession | None) -> AbstractAsyncContextManager[AsyncSession]:
    """The caller's read session, or a short one of its own."""
    return read_session() if session is None else nullcontext(session)


async def render(
    ctx: StepContext,
    target_system: str,
    context: dict[str, Any] | None = None,
    *,
    if_missing: Any = _MISSING_FAILS,
    session: AsyncSession | None = None,
) -> Any:
    """The active mapping's output for this event and system (None: nothing to send). Without an
    active mapping the step fails for good, unless `if_missing` gives the output to use instead."""
    return await render_payload(
        ctx.event.event_type,
        target_system,
        ctx.payload,
        event_document(ctx),
        context,
        if_missing=if_missing,
        session=session,
        generation=ctx.config.mappings,
    )


async def render_payload(
    event_type: str,
    target_system: str,
    payload: dict[str, Any],
    event: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    *,
    if_missing: Any = _MISSING_FAILS,
    session: AsyncSession | None = None,
    generation: GenerationKey | None = None,
) -> Any:
    """`generation`: the mappings' counter as the run read it at its start (`StepContext.config`):
    the session, a short one of its own unless given, runs no statement when the cache holds it."""
    try:
        async with _reading(session) as reads:
            output, _ = await mapping_service.render(
                reads, event_type, target_system, payload, event=event, context=context, generation=generation
            )
    except MappingMissing as exc:
        if if_missing is not _MISSING_FAILS:
            return if_missing
        raise StepError(str(exc), retryable=False) from None
    except MappingError as exc:
        raise StepError(f"mapping {event_type} → {target_system}: {exc}", retryable=False) from None
    return output


def parse(model: type[M], data: Any, what: str) -> M:
    """A mapping output as the connector's input model; a mismatch is a permanent failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors())
        raise StepError(f"the mapping output for {what} is invalid ({fields})", retryable=False) from None


async def raw_body(ctx: StepContext, session: AsyncSession | None = None) -> bytes | None:
    """The exact bytes the event arrived with (Z-API callbacks), read in a short session of its own
    (or the given one)."""
    if ctx.memory is not None:  # the run read them with the event's row
        return ctx.memory.raw_body
    from carinho.integracoes.events.service import event_service

    async with _reading(session) as reads:
        return await event_service.raw_body(reads, ctx.event.id)


async def previous_outputs(ctx: StepContext, session: AsyncSession | None = None) -> dict[str, Any]:
    """The outputs of the event's done steps, by name."""
    if ctx.memory is not None:  # the run knows them: read with its steps, or marked done by it
        return dict(ctx.memory.outputs)
    if is_local(ctx.step_name):
        # A local step calls nothing out, so it may read in its own transaction, and must: it can
        # share that transaction with the steps before it (the runner's tail), not yet committed.
        return await StepsRepository(ctx.session).step_outputs(ctx.event.id)
    async with _reading(session) as reads:
        return await StepsRepository(reads).step_outputs(ctx.event.id)


async def send_once(
    ctx: StepContext,
    *,
    dedupe_key: str,
    channel: str,
    template: str,
    send: Callable[[], Awaitable[str | None]],
) -> dict[str, Any]:
    """Run `send` (which returns the provider's message id) unless this dedupe key was sent already.

    The key is claimed in a committed row before the call and marked sent with the provider's id
    right after it. Only a crash between the provider's answer and that commit can repeat a
    message (after the claim's lease); a failure before the answer never leaves it marked sent.
    """
    token = uuid.uuid4().hex
    claimed = await _claim(ctx, dedupe_key, channel, template, token)
    if isinstance(claimed, OutboundMessage):
        log.info("automation.message_already_sent", channel=channel, template=template, event_id=ctx.event.id)
        return {"dedupe_key": dedupe_key, "message_id": claimed.provider_message_id, "already_sent": True}
    try:
        message_id = await send()
    except Exception as exc:
        async with _db().session() as session:
            await StepsRepository(session).finish(
                claimed,
                token,
                {"status": MessageStatus.failed.value, "last_error": f"{type(exc).__name__}: {exc}"[:2000]},
            )
            await session.commit()
        raise
    now = utcnow()
    async with _db().session() as session:
        await StepsRepository(session).finish(
            claimed,
            token,
            {
                "status": MessageStatus.sent.value,
                "provider_message_id": message_id,
                "sent_at": now,
                "last_error": None,
                "updated_at": now,
            },
        )
        await session.commit()
    log.info("automation.message_sent", channel=channel, template=template, event_id=ctx.event.id)
    return {"dedupe_key": dedupe_key, "message_id": message_id}


async def _claim(
    ctx: StepContext, dedupe_key: str, channel: str, template: str, token: str
) -> int | OutboundMessage:
    """The claimed row's id, or the row itself when it was sent already."""
    for _ in range(3):
        now = utcnow()
        async with _db().session() as session:
            repo = StepsRepository(session)
            row = await repo.message(dedupe_key)
            if row is None:
                row = repo.add(
                    OutboundMessage(
                        dedupe_key=dedupe_key,
                        channel=channel,
                        template=template,
                        event_id=ctx.event.id,
                        step=ctx.step_name,
                        status=MessageStatus.sending.value,
                        attempts=1,
                        claimed_by=token,
                        claimed_until=now + SEND_LEASE,
                        created_at=now,
                        updated_at=now,
                    )
                )
                try:
                    await session.commit()
                except IntegrityError:
                    continue  # another run inserted it meanwhile: read it again
                return row.id
            if row.status == MessageStatus.sent.value:
                return row
            if await repo.take_over(row.id, token, now, now + SEND_LEASE):
                await session.commit()
                return row.id
        raise StepError(f"{channel} message {template} is being sent by another run", retryable=True)
    raise StepError(f"could not claim the {channel} message {template}", retryable=True)
