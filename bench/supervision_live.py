"""From a WhatsApp message to the supervisor's Dashboard em tempo real, under `carinho up` (part of
bench/run_supervision.py; the same harness as the workspace's bench/inbox_live.py).

The platform is started by the browser-test harness (free ports, a fresh data dir, the clock on a
business morning); a supervisor is created through the API and logs in through the login page of
headless Chromium, then opens `/supervisao/dashboard`. Messages come one at a time from new phones
(each a new conversation: the open / unassigned tiles change). For each one:

- **change event**: from just before the sandbox phone's post (`time.time()`) to the first
  `carinho-live` the page's EventSource dispatches for an SSE `change` event naming the new
  conversation (`Date.now()` in the browser, same machine's clock);
- **figures swapped**: to the first htmx settle of `#dashboard-figuras` after that event (the
  dashboard's refresh is throttled to one per second, with a trailing one 400 ms later);
- **stored → change**: from atendimento's `created_at` of the message (brought back from the
  platform's shifted clock) to the change event — atendimento's own part of the way.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.inbox_live import TIMEOUT_MS, UNLIMITED, WARM_UP, _stored_at

RECORDER = """
(() => {
  window.__live = [];
  window.__swaps = [];
  document.addEventListener("carinho-live", (event) => {
    window.__live.push({at: Date.now(), ids: (event.detail && event.detail.ids) || []});
  }, true);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target && event.target.id === "dashboard-figuras") window.__swaps.push(Date.now());
  }, true);
})();
"""


def _one(platform: Any, page: Any, phone: str, label: str) -> tuple[str, float, float, float]:
    """(text, posted, change event, figures swapped) in milliseconds since the epoch. The change
    event is the first that names the message's conversation (others come and go: the previous
    conversation's automatic replies, SLA ticks)."""
    token = f"{label} {uuid.uuid4().hex[:8]}"
    posted = time.time() * 1000
    platform.phone_sends(phone, token, sender_name=f"Família {phone[-4:]}")
    conversation = platform.conversation_of(phone)["id"]
    found = (
        "([p, id]) => { const c = window.__live.find(e => e.at >= p && e.ids.includes(id));"
        " if (!c) return null; const s = window.__swaps.find(t => t >= c.at);"
        " return s === undefined ? null : [c.at, s]; }"
    )
    try:
        page.wait_for_function(found, arg=[posted, conversation], timeout=TIMEOUT_MS)
    except Exception:
        shot = Path(tempfile.gettempdir()) / "carinho_supervision_live_timeout.png"
        page.screenshot(path=str(shot))
        raise RuntimeError(f"no change for {token!r} within {TIMEOUT_MS} ms; see {shot}") from None
    change, swapped = page.evaluate(found, [posted, conversation])
    return token, posted, float(change), float(swapped)


def measure_live(count: int, pause: float = 1.0) -> dict[str, Any]:
    """`count` messages (after WARM_UP unmeasured ones) with the dashboard open."""
    from carinho.kit.ui.testing.browser import chromium, log_in, new_context
    from carinho.kit.ui.testing.platform import Platform
    from carinho.kit.ui.testing.startup import business_morning

    with (
        tempfile.TemporaryDirectory(prefix="carinho_supervision_live_") as workdir,
        Platform(Path(workdir) / "data", clock_at=business_morning(), env=UNLIMITED) as platform,
    ):
        boss = platform.create_agent(
            "Sofia Bench", "sofia.bench@carinho.com.vc", level="N2", role="supervisor"
        )
        with chromium() as browser:
            context = new_context(browser, platform.atendimento_url)
            context.add_init_script(RECORDER)
            page = context.new_page()
            log_in(page, boss.email, boss.password)
            offset_ms = (platform.clock_now().timestamp() - time.time()) * 1000
            page.goto("/supervisao/dashboard")
            page.get_by_role("heading", name="Dashboard em tempo real").first.wait_for()
            sent = []
            for i in range(WARM_UP + count):
                phone = f"1196{2000000 + i:07d}"
                token, posted, change, swapped = _one(platform, page, phone, f"Painel {i}")
                if i >= WARM_UP:
                    sent.append((phone, token, posted, change, swapped))
                time.sleep(pause)  # one message at a time, as in the workspace's series
            stored: dict[str, float] = {}
            for phone, token, *_ in sent:
                stored.update(_stored_at(platform, phone, {token}, offset_ms))
            context.close()
    return {
        "count": count,
        "change_ms": [change - posted for _, _, posted, change, _ in sent],
        "swapped_ms": [swapped - posted for _, _, posted, _, swapped in sent],
        "stored_to_change_ms": [change - stored[t] for _, t, _, change, _ in sent if t in stored],
    }
