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


def _summary(
    label: str, sent: list[tuple[str, str, float, float]], stored: dict[str, float]
) -> dict[str, Any]:
    return {
        "label": label,
        "latencies_ms": [seen - posted for _, _, posted, seen in sent],
        "stored_ms": [stored[token] - posted for _, token, posted, _ in sent if token in stored],
        "shown_after_stored_ms": [seen - stored[token] for _, token, _, seen in sent if token in stored],
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
    series = {"inbox": _summary("new conversation → inbox list (`/conversas?aba=todas`)", fresh, stored)}

    phone = phones[0]
    page.goto(f"/conversas/{platform.conversation_of(phone)['id']}")
    thread = _series(platform, page, [phone] * (WARM_UP + count), "Mensagem", pause)
    stored = _stored_at(platform, phone, {token for _, token, _, _ in thread}, offset_ms)
    series["conversation"] = _summary("message → open conversation (`/conversas/{id}`)", thread, stored)
    return series


def measure_live(count: int, *, pause: float = 1.0) -> dict[str, Any]:
    from carinho.kit.ui.testing.browser import chromium, log_in, new_context
    from carinho.kit.ui.testing.platform import Platform, business_morning

    with (
        tempfile.TemporaryDirectory(prefix="carinho_live_bench_") as workdir,
        Platform(Path(workdir) / "data", clock_at=business_morning()) as platform,
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
