"""Background work: lanes, the transactional outbox, jobs, the relay and the scheduler.

The broker (Dramatiq) is transport; the database is truth. `enqueue()` writes an outbox row in the
caller's transaction, publishing happens after commit, and the relay re-dispatches anything lost.
"""

from carinho.worker.jobs import JobSpec, enqueue, job
from carinho.worker.lanes import Lane

__all__ = ["JobSpec", "Lane", "enqueue", "job"]
