"""What each simulated system received, for the inspection API and the sandbox page."""

from __future__ import annotations

import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from carinho.kit import clock

MAX_RECORDED = 1000
SHOWN_HEADERS = ("x-api-key", "idempotency-key", "client-token", "content-type", "user-agent", "x-request-id")


@dataclass
class RecordedRequest:
    id: int
    system: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    received_at: datetime
    status: int | None = None
    fault: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "system": self.system,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "received_at": self.received_at.isoformat(),
            "status": self.status,
            "fault": self.fault,
        }


@dataclass
class Recorder:
    requests: dict[str, deque[RecordedRequest]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def record(
        self, system: str, method: str, path: str, query: str, headers: dict[str, str], raw: bytes
    ) -> RecordedRequest:
        entry = RecordedRequest(
            id=next(self._ids),
            system=system,
            method=method,
            path=path,
            query=query,
            headers={k: v for k, v in headers.items() if k in SHOWN_HEADERS},
            body=_decode(raw),
            received_at=clock.utcnow(),
        )
        self.requests.setdefault(system, deque(maxlen=MAX_RECORDED)).append(entry)
        return entry

    def list(self, system: str) -> list[RecordedRequest]:
        return list(self.requests.get(system, ()))

    def clear(self, system: str) -> None:
        self.requests.pop(system, None)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:2000].decode("utf-8", errors="replace")
