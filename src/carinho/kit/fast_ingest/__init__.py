"""The fast ingest: storing an inbound webhook durably, fast. Everything here serves that one purpose.

A 2xx to a webhook means its event and its outbox row are committed (ARCHITECTURE §4, invariant 1).
Done plainly — a FastAPI route, a session, a transaction and a commit per request — the hub answered
~14 % of a bare FastAPI endpoint's rate on the embedded SQLite (docs/benchmarks.md, 2026-11-28). Each
trick below buys part of the way to ~80 %; the figures are from docs/benchmarks.md (saturation,
`wrk -c64`, 2 vCPUs), where the whole story is.

- `gateway.py` — a plain-ASGI lane for the handled POST paths, innermost in the app's middleware:
  FastAPI's routing, dependency solving and Request/Response objects are skipped (~60 µs of a bare
  endpoint's ~80 µs), while every middleware of the app still runs around it (no copy of theirs
  here; `tests/kit/fast_ingest/test_gateway.py`; that costs ~3.6 µs a webhook over a lane in front
  of the middleware, measured). The hub plugs its receivers in
  (`integracoes/webhooks/receiver.py: gateway_handlers`). About 14 → 50 % with the next two.
- `group_commit.py` — concurrent requests share a transaction: one drain task gathers the events
  queued while the event loop turns (~63 a transaction at saturation), stores them, commits, then
  answers each. One commit (and with SQLITE_SYNCHRONOUS=full one fsync) for many webhooks: at
  saturation the durable fsync costs nothing measurable.
- On SQLite, the batch is **written on the event loop** (`GroupCommitter._store_on_loop`) through
  a connection that never waits for the write lock (`kit/db.py: Database.no_wait_engine`; a batch
  that finds the lock held goes to a worker thread): a worker thread per batch cost more than the
  writing itself (GIL hand-offs with the busy loop). A lone event's transaction 364 → 180 µs.
- `batch_sql.py` — the batch's multi-row INSERT … RETURNING and its key lookup run on the driver's
  cursor (`kit/db.py: execute_on_driver`), skipping Core's execution machinery: 42 → 32 µs per
  event in a batch of 32. The outbox rows use it too (`worker/outbox_repository.py`).

What the ingest pays beyond these: every index on the stored rows. A randomly keyed one (a hash, a
random UUID) puts each event of a batch on a page of its own in every commit (44 → 156 pages a
64-event commit in December 2026); keys are time-ordered where they can be (`events.uid`).

Around it, not here because they serve more than the ingest: WAL checkpoints in their own thread
(`kit/sqlite_checkpoint.py`), the frozen startup heap (`service_app.py`), a batch's outbox rows
published in a few broker messages (`worker/jobs.py: publish_all`).

`INGEST_FAST_PATH=false` switches all of it off, for debugging: the webhooks go through FastAPI's
routes and every event is stored in a session and transaction of its own, with Core's statements
(`group_commit.store_in_session(plain_sql=True)`). Same answers, same rows (tested).
"""
