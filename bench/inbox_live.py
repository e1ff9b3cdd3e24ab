"""From a Z-API webhook to the attendant's browser, under `carinho up` (part of bench/run_inbox.py).

The platform is started by the browser-test harness (`carinho.kit.ui.testing`: free ports, a fresh
data dir, the clock on a business morning); an attendant (N1) is created through the API and logs in
through the login page of headless Chromium. Two series, one message at a time:

- **inbox**: the list (`/conversas?aba=todas`) is open; each message comes from a new phone, so
  it is a new conversation that must appear in the list;
- **conversation**: that contact's conversation is open (`/conversas/{id}`); each message must
  appear in its history.

Each message's latency runs from just before the sandbox phone's post (`time.time()`) to the moment
a MutationObserver in the page first finds its text in a visible element (`Date.now()` in the
browser: the same machine's clock). Nothing is reloaded: what moves the page is the SSE feed.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

WATCHER = """
(() => {
  window.__seen = {};
  const wanted = new Set();
  const check = () => {
    for (const token of wanted) {
      const found = document.evaluate(`//*[contains(text(), "${token}")]`, document, null,
                                      XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      for (let i = 0; i < found.snapshotLength; i++) {
        const el = found.snapshotItem(i);
        if (el.closest('title, script, template')) continue;
        if (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null) {
          window.__seen[token] = Date.now();
          wanted.delete(token);
          break;
        }
      }
    }
  };
  window.__watch = (token) => { wanted.add(token); check(); };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""
WARM_UP = 2
# The APIs' per-minute limit would refuse the reads that split each latency into its legs.
UNLIMITED = {"API_RATE_LIMIT_PER_MINUTE": "100000"}
TIMEOUT_MS = 15_000


def _one(platform: Any, page: Any, phone: str, label: str) -> tuple[str, float, float]:
    """Send one message from `phone`: its text, when it was posted and when the page showed it
    (milliseconds since the epoch)."""
    token = f"{label} {uuid.uuid4().hex[:8]}"
    page.evaluate("t => window.__watch(t)", token)
    posted = time.time() * 1000
    platform.phone_sends(phone, token, sender_name=f"Família {phone[-4:]}")
    try:
        page.get_by_text(token).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    except Exception:
        shot = Path(tempfile.gettempdir()) / "carinho_live_bench_timeout.png"
        page.screenshot(path=str(shot))
        raise RuntimeError(f"{token!r} not shown within {TIMEOUT_MS} ms on {page.url}; see {shot}") from None
    seen = page.evaluate("t => window.__seen[t]", token)
    if seen is None:  # the observer missed it: Playwright's own wait is the (later) bound
        seen = time.time() * 1000
    return token, posted, float(seen)


def _stored_at(platform: Any, phone: str, tokens: set[str], offset_ms: float) -> dict[str, float]:
    """When atendimento stored each message (its `created_at`, on the platform's clock, brought back
    to the real one): splits each latency into webhook → stored and stored → shown."""
    conversation = platform.conversation_of(phone)
    messages = platform.api("GET", f"/api/conversations/{conversation['id']}/messages")
    return {
        m["content"]: datetime.fromisoformat(m["created_at"]).timestamp() * 1000 - offset_ms
        for m in messages
        if m["content"] in tokens
    }


def _hub_trace(platform: Any, tokens: set[str], offset_ms: float) -> dict[str, dict[str, float]]:
    """The hub's side of each message (its `zapi` event): when it was stored and when the step
    forwarding it to atendimento started (after the CRM steps before it in the flow) and ended."""
    found: dict[str, dict[str, float]] = {}
    params = {"source": "zapi", "type": "whatsapp.message.received", "limit": 200}
    events: list[dict[str, Any]] = []
    for _ in range(10):  # pages, bounded
        page = platform.hub_api("GET", "/api/events", params=params)
        events += page["items"]
        if not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    for event in events:
        detail = platform.hub_api("GET", f"/api/events/{event['id']}")
        text = json.dumps(detail.get("payload"), ensure_ascii=False)
        token = next((t for t in tokens if t in text), None)
        forward = next((s for s in detail["steps"] if s["name"] == "atendimento.forward_whatsapp"), None)
        if token is None or forward is None or not forward.get("started_at"):
            continue
        found[token] = {
            "hub_stored": _ms(detail["created_at"]) - offset_ms,
            "forward_started": _ms(forward["started_at"]) - offset_ms,
            "forward_finished": _ms(forward["finished_at"]) - offset_ms,
        }
    return found


def _ms(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp() * 1000


def _summary(
    label: str,
    sent: list[tuple[str, str, float, float]],
    stored: dict[str, float],
    hub: dict[str, dict[str, float]],
) -> dict[str, Any]:
    def spans(start: str | None, end: str | None) -> list[float]:
        out = []
        for _, token, posted, seen in sent:
            marks = {"posted": posted, "shown": seen, "stored": stored.get(token), **hub.get(token, {})}
            a, b = marks.get(start or ""), marks.get(end or "")
            if a is not None and b is not None:
                out.append(b - a)
        return out

    return {
        "label": label,
        "latencies_ms": spans("posted", "shown"),
        "stored_ms": spans("posted", "stored"),
        "shown_after_stored_ms": spans("stored", "shown"),
        # The way through the hub: stored there, the CRM steps, the forward's HTTP call.
        "hub_stored_ms": spans("posted", "hub_stored"),
        "before_forward_ms": spans("hub_stored", "forward_started"),
        "forward_ms": spans("forward_started", "forward_finished"),
    }


Sent = list[tuple[str, str, float, float]]  # (phone, text, posted, shown)


def _series(platform: Any, page: Any, phones: list[str], label: str, pause: float) -> Sent:
    sent: Sent = []
    for i, phone in enumerate(phones):
        token, posted, seen = _one(platform, page, phone, f"{label} {i}")
        if i >= WARM_UP:
            sent.append((phone, token, posted, seen))
        time.sleep(pause)
    return sent


def _run(platform: Any, page: Any, count: int, pause: float) -> dict[str, dict[str, Any]]:
    offset_ms = (platform.clock_now().timestamp() - time.time()) * 1000
    page.goto("/conversas?aba=todas")
    phones = [f"1197{1000000 + i:07d}" for i in range(WARM_UP + count)]
    fresh = _series(platform, page, phones, "Nova conversa", pause)
    stored: dict[str, float] = {}
    for phone, token, _, _ in fresh:
        stored.update(_stored_at(platform, phone, {token}, offset_ms))

    phone = phones[0]
    page.goto(f"/conversas/{platform.conversation_of(phone)['id']}")
    thread = _series(platform, page, [phone] * (WARM_UP + count), "Mensagem", pause)
    stored.update(_stored_at(platform, phone, {token for _, token, _, _ in thread}, offset_ms))
    hub = _hub_trace(platform, {token for _, token, _, _ in fresh + thread}, offset_ms)
    return {
        "inbox": _summary("new conversation → inbox list (`/conversas?aba=todas`)", fresh, stored, hub),
        "conversation": _summary("message → open conversation (`/conversas/{id}`)", thread, stored, hub),
    }


def measure_live(count: int, *, pause: float = 1.0) -> dict[str, Any]:
    from carinho.kit.ui.testing.browser import chromium, log_in, new_context
    from carinho.kit.ui.testing.platform import Platform
    from carinho.kit.ui.testing.startup import business_morning

    with (
        tempfile.TemporaryDirectory(prefix="carinho_live_bench_") as workdir,
        Platform(Path(workdir) / "data", clock_at=business_morning(), env=UNLIMITED) as platform,
    ):
        ana = platform.create_agent("Ana Bench", "ana.bench@carinho.com.vc", level="N1")
        with chromium() as browser:
            context = new_context(browser, platform.atendimento_url)
            context.add_init_script(WATCHER)
            page = context.new_page()
            log_in(page, ana.email, ana.password)
            series = _run(platform, page, count, pause)
            context.close()
    return {"series": series, "count": count}
