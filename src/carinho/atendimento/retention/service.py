"""The retention policy (months per data class, legal exceptions) and the anonymisation runs."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.retention.anonymiser import FINISHED, STEP_NAMES, STEPS, next_step, run_cutoffs
from carinho.atendimento.retention.models import (
    DEFAULT_MONTHS,
    DataClass,
    RetentionPolicy,
    RetentionRun,
    RetentionSettings,
    RunStatus,
)
from carinho.atendimento.retention.personal_data_repository import PersonalDataRepository
from carinho.atendimento.retention.repository import RetentionRepository
from carinho.errors import NotFound
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue
from carinho.worker.models import OutboxStatus
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)

RUN_STEP_JOB = "atendimento.retention_step"
SCRUB_CONVERSATION_AUDIT_JOB = "atendimento.retention_scrub_conversation_audit"
DEFAULT_BATCH_SIZE = 500
EXCEPTION_FIELDS = (
    "keep_active_conversations",
    "keep_open_incidents",
    "keep_contracts",
    "contract_retention_months",
    "export_ttl_days",
)


def months_before(instant: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month_index = divmod(instant.month - 1 - months, 12)
    year += instant.year
    month = month_index + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class RetentionConfig:
    months: dict[DataClass, int | None]
    settings: RetentionSettings

    def cutoff(self, data_class: DataClass, now: datetime) -> datetime | None:
        months = self.months.get(data_class)
        return months_before(now, months) if months else None


class RetentionService:
    # --- policy
    async def config(self, session: AsyncSession) -> RetentionConfig:
        repo = RetentionRepository(session)
        months: dict[DataClass, int | None] = dict(DEFAULT_MONTHS)
        for policy in await repo.policies():
            if policy.data_class in DataClass.__members__:
                months[DataClass(policy.data_class)] = policy.months or None
        settings = await repo.settings() or RetentionSettings(
            keep_active_conversations=True,
            keep_open_incidents=True,
            keep_contracts=True,
            contract_retention_months=60,
            export_ttl_days=7,
        )
        return RetentionConfig(months, settings)

    async def update(
        self,
        session: AsyncSession,
        agent: Agent,
        *,
        months: dict[DataClass, int | None] | None = None,
        exceptions: dict[str, object] | None = None,
    ) -> RetentionConfig:
        before = await self._snapshot(session)
        await seed_retention(session)
        repo = RetentionRepository(session)
        policies = {p.data_class: p for p in await repo.policies()}
        for data_class, value in (months or {}).items():
            policy = policies[data_class.value]
            policy.months = value or None
            policy.updated_by_id = agent.id
        settings = await repo.settings()
        assert settings is not None
        for field, setting in (exceptions or {}).items():
            if field in EXCEPTION_FIELDS and setting is not None:
                setattr(settings, field, setting)
                settings.updated_by_id = agent.id
        await session.flush()
        after = await self._snapshot(session)
        if after != before:
            history_service.record(
                session, Action.retention_changed, Actor.of(agent), before=before, after=after
            )
        return await self.config(session)

    async def _snapshot(self, session: AsyncSession) -> dict[str, object]:
        config = await self.config(session)
        return {
            "months": {k.value: v for k, v in config.months.items()},
            **{field: getattr(config.settings, field) for field in EXCEPTION_FIELDS},
        }

    # --- runs
    async def start_run(
        self,
        session: AsyncSession,
        *,
        trigger: str = "schedule",
        requested_by: Agent | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> RetentionRun:
        """A new run with today's cutoffs, or the run still in progress (which is then resumed)."""
        repo = RetentionRepository(session)
        running = await repo.running()
        if running is not None:
            return running
        now = utcnow()
        config = await self.config(session)
        previous = await repo.last_finished()
        run = RetentionRun(
            status=RunStatus.running.value,
            trigger=trigger,
            requested_by_id=requested_by.id if requested_by else None,
            started_at=now,
            cutoffs={
                c.value: (cut.isoformat() if (cut := config.cutoff(c, now)) else None) for c in DataClass
            },
            batch_size=batch_size,
            step=STEP_NAMES[0],
            cursor=0,
            batches=0,
            counts={c.value: 0 for c in DataClass},
            details={},
            sources={},
            audit_through_at=previous.audit_through_at if previous else None,
            audit_through_id=previous.audit_through_id if previous else 0,
        )
        repo.add(run)
        await session.flush()
        log.info("atendimento.retention_run_started", run_id=run.id, trigger=trigger)
        return run

    async def schedule_step(self, session: AsyncSession, run: RetentionRun) -> None:
        """Enqueue the run's next batch, unless it is queued already (a daily tick may find a run
        still in progress). A batch whose job gave up is enqueued again: that is the resume."""
        key = f"atendimento:retention:{run.id}:{run.batches}"
        outbox = OutboxRepository(session, runtime.context_spec("atendimento").outbox)
        existing = await outbox.find_by_dedupe_key(key)
        if existing is not None:
            row = await outbox.get(existing)
            if row is None or row.status != OutboxStatus.failed.value:
                return
            key = f"{key}:resume:{utcnow():%Y%m%d%H%M%S}"
        await enqueue(session, RUN_STEP_JOB, {"run_id": run.id}, dedupe_key=key)

    async def advance(self, session: AsyncSession, run_id: int) -> RetentionRun | None:
        """Do one batch of the run. Returns the run if more remains, None when it is over."""
        run = await RetentionRepository(session).run(run_id, lock=True)
        if run is None or run.status != RunStatus.running.value:
            return None
        cutoffs = run_cutoffs(run)
        step = STEPS[STEP_NAMES.index(run.step)]
        run.batches += 1
        cutoff = cutoffs.get(step.data_class) if step.data_class else None
        if step.data_class is not None and cutoff is None:
            self._move_to(run, next_step(step.name))  # this class is kept forever
        else:
            result = await step.run(session, run, cutoff)
            if result.changed:
                if step.data_class is not None:
                    key = step.data_class.value
                    run.counts = {**run.counts, key: run.counts.get(key, 0) + result.changed}
                run.details = {**run.details, step.name: run.details.get(step.name, 0) + result.changed}
            if result.done:
                self._move_to(run, next_step(step.name))
            else:
                run.cursor = result.cursor
        if run.step == FINISHED:
            self._finish(session, run)
            return None
        return run

    @staticmethod
    def _move_to(run: RetentionRun, step: str) -> None:
        run.step = step
        run.cursor = 0

    def _finish(self, session: AsyncSession, run: RetentionRun) -> None:
        run.status = RunStatus.done.value
        run.finished_at = utcnow()
        history_service.record(
            session,
            Action.data_anonymised,
            Actor.system(),
            details={
                "run_id": run.id,
                "trigger": run.trigger,
                "counts": dict(run.counts),
                "cutoffs": dict(run.cutoffs),
                "sources": dict(run.sources),
                "batches": run.batches,
            },
        )
        log.info("atendimento.retention_run_finished", run_id=run.id, counts=run.counts)

    async def runs(self, session: AsyncSession, limit: int = 50, offset: int = 0) -> Sequence[RetentionRun]:
        return await RetentionRepository(session).runs(limit, offset)

    async def run(self, session: AsyncSession, run_id: int) -> RetentionRun:
        run = await RetentionRepository(session).run(run_id)
        if run is None:
            raise NotFound("Execução de retenção não encontrada.")
        return run

    async def scrub_conversation_audit(self, session: AsyncSession, conversation_id: int) -> int:
        """The audit entries of a conversation that ended after its entries expired (the daily run
        skipped them while it was active)."""
        cutoff = (await self.config(session)).cutoff(DataClass.audit_trail, utcnow())
        repo = PersonalDataRepository(session)
        if cutoff is None or await repo.active_conversation_ids([conversation_id]):
            return 0
        changed, after_id = 0, 0
        while entries := await repo.history_of([conversation_id], after_id, DEFAULT_BATCH_SIZE):
            after_id = entries[-1].id
            changed += await repo.scrub_history([e for e in entries if e.created_at < cutoff])
        return changed


async def seed_retention(session: AsyncSession) -> list[str]:
    """The default policy per data class and the default exceptions (never overwrites)."""
    repo = RetentionRepository(session)
    created: list[str] = []
    existing = {p.data_class for p in await repo.policies()}
    for data_class, months in DEFAULT_MONTHS.items():
        if data_class.value not in existing:
            repo.add(RetentionPolicy(data_class=data_class.value, months=months))
            created.append(f"retention:{data_class.value}")
    if await repo.settings() is None:
        repo.add(
            RetentionSettings(
                keep_active_conversations=True,
                keep_open_incidents=True,
                keep_contracts=True,
                contract_retention_months=60,
                export_ttl_days=7,
            )
        )
        created.append("retention:settings")
    await session.flush()
    return created


retention_service = RetentionService()
