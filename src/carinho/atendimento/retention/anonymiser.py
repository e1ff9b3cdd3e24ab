"""The steps of an anonymisation run, in order. Each call does one batch and says where it stopped,
so a run is a chain of short transactions that can stop and resume anywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.retention import registry
from carinho.atendimento.retention.models import DataClass, RetentionRun
from carinho.atendimento.retention.personal_data_repository import PersonalDataRepository, Scope
from carinho.atendimento.retention.repository import RetentionRepository
from carinho.atendimento.retention.scrubbing import RETENTION_MARKER
from carinho.kit.clock import utcnow


@dataclass(frozen=True)
class BatchResult:
    changed: int
    cursor: int
    done: bool


Candidates = Callable[[PersonalDataRepository, Scope, int, int], Awaitable[list[int]]]
Apply = Callable[[PersonalDataRepository, Sequence[int]], Awaitable[int]]


@dataclass(frozen=True)
class Step:
    name: str
    data_class: DataClass | None  # None: runs whatever the policies say (sources, exports)
    run: Callable[[AsyncSession, RetentionRun, datetime | None], Awaitable[BatchResult]]


def _candidate_step(candidates: Candidates, apply: Apply) -> Callable[..., Awaitable[BatchResult]]:
    async def run(session: AsyncSession, run: RetentionRun, cutoff: datetime | None) -> BatchResult:
        assert cutoff is not None
        repo = PersonalDataRepository(session)
        ids = await candidates(repo, Scope(cutoff=cutoff), run.cursor, run.batch_size)
        changed = await apply(repo, ids)
        return BatchResult(changed, ids[-1] if ids else run.cursor, len(ids) < run.batch_size)

    return run


async def _contacts(session: AsyncSession, run: RetentionRun, cutoff: datetime | None) -> BatchResult:
    assert cutoff is not None
    repo = PersonalDataRepository(session)
    ids = await repo.contact_candidates(cutoff, run.cursor, run.batch_size)
    changed = await repo.pseudonymise_contacts(ids)
    return BatchResult(changed, ids[-1] if ids else run.cursor, len(ids) < run.batch_size)


async def _audit_trail(session: AsyncSession, run: RetentionRun, cutoff: datetime | None) -> BatchResult:
    """Walks the trail by (created_at, id) from where the previous run stopped. Entries of a
    conversation that is active now are left alone; `scrub_conversation_audit` takes them when
    the conversation ends."""
    assert cutoff is not None
    repo = PersonalDataRepository(session)
    entries = await repo.history_after(run.audit_through_at, run.audit_through_id, cutoff, run.batch_size)
    if not entries:
        return BatchResult(0, run.cursor, True)
    active = await repo.active_conversation_ids(
        sorted({e.conversation_id for e in entries if e.conversation_id is not None})
    )
    last = entries[-1]
    run.audit_through_at, run.audit_through_id = last.created_at, last.id
    changed = await repo.scrub_history([e for e in entries if e.conversation_id not in active])
    return BatchResult(changed, run.cursor + len(entries), len(entries) < run.batch_size)


def source_calls(run: RetentionRun) -> list[tuple[str, DataClass, datetime]]:
    """Every (registered source, data class with a cutoff) pair, in a stable order."""
    cutoffs = run_cutoffs(run)
    return [
        (source.name, data_class, cutoff)
        for source in sorted(registry.sources(), key=lambda s: s.name)
        for data_class, cutoff in cutoffs.items()
        if cutoff is not None
    ]


async def _sources(session: AsyncSession, run: RetentionRun, cutoff: datetime | None) -> BatchResult:
    """One (source, class) call per batch; the cursor is the index of the next call."""
    calls = source_calls(run)
    if run.cursor >= len(calls):
        return BatchResult(0, run.cursor, True)
    name, data_class, class_cutoff = calls[run.cursor]
    source = next(s for s in registry.sources() if s.name == name)
    changed = await source.anonymise_before(session, data_class.value, class_cutoff)
    per_source = dict(run.sources)
    per_source[name] = {**per_source.get(name, {}), data_class.value: changed}
    run.sources = per_source
    return BatchResult(changed, run.cursor + 1, run.cursor + 1 >= len(calls))


async def _expired_exports(session: AsyncSession, run: RetentionRun, cutoff: datetime | None) -> BatchResult:
    changed = await RetentionRepository(session).drop_expired_exports(utcnow())
    return BatchResult(changed, 0, True)


def _text(marker: str) -> Apply:
    async def apply(repo: PersonalDataRepository, ids: Sequence[int]) -> int:
        return await repo.scrub_message_text(ids, marker)

    return apply


def _document_text(marker: str) -> Apply:
    async def apply(repo: PersonalDataRepository, ids: Sequence[int]) -> int:
        return await repo.scrub_document_text(ids, marker)

    return apply


R = PersonalDataRepository
STEPS: list[Step] = [
    Step(
        "messages",
        DataClass.message_text,
        _candidate_step(R.message_text_candidates, _text(RETENTION_MARKER)),
    ),
    Step(
        "triage_answers",
        DataClass.message_text,
        _candidate_step(R.triage_answer_candidates, R.scrub_triage_answers),
    ),
    Step(
        "funnel_notes",
        DataClass.message_text,
        _candidate_step(R.funnel_note_candidates, R.scrub_funnel_notes),
    ),
    Step("loss_notes", DataClass.message_text, _candidate_step(R.loss_note_candidates, R.scrub_loss_notes)),
    Step(
        "document_texts",
        DataClass.message_text,
        _candidate_step(R.document_text_candidates, _document_text(RETENTION_MARKER)),
    ),
    Step("message_media", DataClass.attachments, _candidate_step(R.media_candidates, R.scrub_media)),
    Step(
        "document_links",
        DataClass.attachments,
        _candidate_step(R.document_link_candidates, R.scrub_document_links),
    ),
    Step("contacts", DataClass.contact_data, _contacts),
    Step("audit_trail", DataClass.audit_trail, _audit_trail),
    Step("sources", None, _sources),
    Step("expired_exports", None, _expired_exports),
]
STEP_NAMES = [step.name for step in STEPS]
FINISHED = "finished"


def run_cutoffs(run: RetentionRun) -> dict[DataClass, datetime | None]:
    return {
        DataClass(name): datetime.fromisoformat(value) if value else None
        for name, value in (run.cutoffs or {}).items()
    }


def next_step(name: str) -> str:
    index = STEP_NAMES.index(name) + 1
    return STEP_NAMES[index] if index < len(STEP_NAMES) else FINISHED
