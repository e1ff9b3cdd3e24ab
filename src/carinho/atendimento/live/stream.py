"""Server-sent events of the live change feed: `GET /ao-vivo`, for the logged-in agent (session
cookie or bearer token), `text/event-stream`.

What the stream sends (https://html.spec.whatwg.org/multipage/server-sent-events.html):

- On connect: `retry: 2000` and `id: <position>` with no data (no event fires; the browser
  keeps the id, so a reconnect resumes from it even before the first change).
- `event: change` — conversations changed during one poll of the feed (~0.25 s):

      id: 1234
      event: change
      data: {"conversations": [12, 15], "kinds": {"12": ["message", "conversation"], "15": ["delivery"]}}

  `conversations`: ids, ascending; `kinds`: per id (as a string, JSON keys are), what changed:
  `message` (a new message or note), `delivery` (an existing message changed: delivery tick,
  failure), `conversation` (the conversation itself: new, status, priority, labels, funnel...),
  `assignment` (its assignee or level: it may have entered or left a queue), `sla` (its SLA clock
  or targets), `incident` (an incident about it). Only ids, never content: the page fetches what
  it shows through the usual endpoints and their access rules.
- `event: resync` — `data: {"reason": "behind" | "expired"}`: changes were lost for this stream
  (it fell behind, or the `Last-Event-ID` it reconnected with is no longer retained): reload
  everything shown, then keep listening.
- `: heartbeat` comments after 15 s of silence (with `id:` when the position moved on through
  changes this agent does not see).
- The stream ends after an hour; the browser reconnects (so re-authenticates) with
  `Last-Event-ID`, and the changes it missed meanwhile are sent first (10 minutes are retained).

Which changes an agent gets: the rule of inbox/access.py, applied to each conversation as it is
when polled — supervisors and administrators every conversation; an agent the ones assigned to
them and the unassigned ones at their level, plus every `assignment` change (a conversation that
just left their queue must leave their screen too; an id reveals nothing).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterable

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.access import sees_everything
from carinho.atendimento.live.feed import Batch, Change, ChangeFeed, Resync
from carinho.atendimento.live.models import ChangeKind
from carinho.kit.live_signal import HEARTBEAT_SECONDS, MAX_STREAM_SECONDS, RETRY_MS

KIND_ORDER = {kind.value: n for n, kind in enumerate(ChangeKind)}


def may_see(viewer: Agent, change: Change) -> bool:
    """inbox/access.can_see on the conversation as polled, plus every assignment change."""
    if sees_everything(viewer) or change.kind == ChangeKind.assignment or change.level is None:
        return True
    if change.assignee_id is None:
        return change.level == viewer.level
    return change.assignee_id == viewer.id


def change_event(event_id: int, changes: Iterable[Change]) -> str:
    kinds: dict[int, set[str]] = {}
    for change in changes:
        kinds.setdefault(change.conversation_id, set()).add(change.kind)
    ids = sorted(kinds)
    data = {
        "conversations": ids,
        "kinds": {str(i): sorted(kinds[i], key=lambda k: KIND_ORDER.get(k, len(KIND_ORDER))) for i in ids},
    }
    return f"id: {event_id}\nevent: change\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def resync_event(event_id: int, reason: str) -> str:
    return f"id: {event_id}\nevent: resync\ndata: {json.dumps({'reason': reason})}\n\n"


async def events(
    feed: ChangeFeed,
    viewer: Agent,
    last_event_id: int | None = None,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = MAX_STREAM_SECONDS,
) -> AsyncGenerator[str]:
    """The events of one stream. Ends when the client goes away (Starlette cancels the generator)
    or after `lifetime` seconds."""
    clock = feed.clock
    started = clock()
    end = started + lifetime
    async with feed.subscribe(last_event_id) as subscription:
        announced = position = subscription.position
        # The time of each write is taken as it is handed over: the generator resumes whenever
        # its reader asks for more, and the heartbeat counts silence, not the reader's pace.
        last_write = clock()
        yield f"retry: {RETRY_MS}\nid: {position}\n\n"
        while True:
            now = clock()
            if now >= end:
                return
            items = await subscription.wait(min(last_write + heartbeat, end) - now)
            visible: list[Change] = []
            chunks: list[str] = []
            for item in items:
                position = max(position, item.position)
                if isinstance(item, Resync):
                    visible.clear()  # the reload covers them
                    chunks.append(resync_event(item.position, item.reason))
                    announced = item.position
                elif isinstance(item, Batch):
                    visible.extend(c for c in item.changes if may_see(viewer, c))
            if visible:
                chunks.append(change_event(position, visible))
                announced = position
            if chunks:
                last_write = clock()
                yield "".join(chunks)
            elif clock() - last_write >= heartbeat:
                beat = f"id: {position}\n: heartbeat\n\n" if position != announced else ": heartbeat\n\n"
                announced = position
                last_write = clock()
                yield beat
