"""Alert rules of the hub (backlog, failure rate, DLQ growth, failing syncs, targets down, no
scheduler leader), the alerts they open and resolve, and how those reach a person."""
