/* Carinho pages: the little plain JS the server-rendered pages need.
   - CSRF header on every htmx request; errors of htmx requests as a toast (never a silent failure)
   - live updates: <body data-live="/url"> opens an EventSource; each `change` event triggers
     `carinho-live` on <body> (and `carinho-live-<id>` per conversation id) for hx-trigger="… from:body";
     `carinhoLive(detail, "incident …")` filters it by the kinds of change
   - dialogs (data-open-dialog / data-close-dialog), keyboard shortcuts (data-shortcut), title counts
   - the composer: Enter sends, Shift+Enter is a new line, "/" opens the quick-insert list
   - `data-live-guard`: a refresh (GET) does not replace the element while someone works in it
   - a refresh (GET) that brings back what its target already shows is not swapped */
(function () {
  "use strict";

  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // An open modal <dialog> sits in the top layer, above the page's toasts: a refusal of its form (the
  // dialog stays open) goes into a toast area of the dialog itself, so it is seen and announced. Other
  // messages go to the page: the dialog closes, or leaves with a swap, when its form succeeds.
  function toastBox(tone) {
    const dialog = tone === "danger" && document.querySelector("dialog[open]");
    if (!dialog) return document.querySelector("body > [data-toasts]");
    let box = dialog.querySelector(":scope > [data-toasts]");
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.dataset.toasts = "";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      dialog.appendChild(box);
    }
    return box;
  }

  function toast(message, tone) {
    const box = toastBox(tone);
    if (!box || !message) return;
    const item = document.createElement("div");
    item.className = "toast" + (tone ? " toast-" + tone : "");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(() => item.remove(), tone === "danger" ? 8000 : 4000);
  }
  window.carinhoToast = toast;

  document.addEventListener("htmx:configRequest", (e) => {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("htmx:responseError", (e) => {
    const xhr = e.detail.xhr;
    const header = xhr.getResponseHeader("X-Carinho-Mensagem");
    const text = header ? decodeURIComponent(header) : "Não foi possível concluir a ação. Tente de novo.";
    toast(text, "danger");
  });
  document.addEventListener("htmx:sendError", () => toast("Sem conexão com o servidor. Verifique a rede e tente de novo.", "danger"));
  document.body.addEventListener("carinho-toast", (e) => toast(e.detail.message || e.detail.value, e.detail.tone));

  /* ---------- live updates (server-sent events) ---------- */
  function startLive() {
    const url = document.body.dataset.live;
    if (!url || !window.EventSource) return;
    const status = document.querySelector("[data-live-status]");
    const setStatus = (state, text) => {
      if (!status) return;
      status.dataset.state = state;
      status.textContent = text;
    };
    const source = new EventSource(url);
    source.addEventListener("open", () => setStatus("on", "Ao vivo"));
    source.addEventListener("error", () => setStatus("off", "Reconectando…"));
    source.addEventListener("change", (event) => {
      let data = {};
      try { data = JSON.parse(event.data); } catch (_) { return; }
      const ids = data.conversations || [];
      htmx.trigger(document.body, "carinho-live", { ids: ids, kinds: data.kinds || {} });
      ids.forEach((id) => htmx.trigger(document.body, "carinho-live-" + id, { kinds: (data.kinds || {})[id] || [] }));
    });
    source.addEventListener("resync", () => {
      htmx.trigger(document.body, "carinho-live", { ids: [], resync: true });
      document.querySelectorAll("[data-live-conversation]").forEach((el) => htmx.trigger(document.body, "carinho-live-" + el.dataset.liveConversation, {}));
    });
    window.addEventListener("beforeunload", () => source.close());
  }
  // For hx-trigger filters: did this live event change one of `kinds` (space-separated, e.g.
  // "message conversation")? A resync (changes were lost) counts as every kind.
  window.carinhoLive = function (detail, kinds) {
    if (!detail || detail.resync) return true;
    const wanted = String(kinds || "").split(" ").filter(Boolean);
    return Object.values(detail.kinds || {}).some((list) => list.some((kind) => wanted.includes(kind)));
  };

  /* ---------- title with the unread count ---------- */
  function updateTitle() {
    const holder = document.querySelector("[data-unread-total]");
    // The page's own title, without the count: it changes when htmx swaps in another page (HX-Location).
    const base = document.title.replace(/^\(\d+\) /, "");
    const n = holder ? parseInt(holder.dataset.unreadTotal, 10) || 0 : 0;
    document.title = n > 0 ? "(" + n + ") " + base : base;
  }

  /* ---------- dialogs ---------- */
  document.addEventListener("click", (e) => {
    const opener = e.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog) { dialog.showModal(); const first = dialog.querySelector("input,select,textarea,button:not([data-close-dialog])"); if (first) first.focus(); }
      return;
    }
    const closer = e.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
    const toggler = e.target.closest("[data-toggle-class]");
    if (toggler) {
      const target = document.querySelector(toggler.dataset.target);
      if (target) {
        const on = target.classList.toggle(toggler.dataset.toggleClass);
        toggler.setAttribute("aria-expanded", on ? "true" : "false");
      }
    }
  });
  // A refresh (GET) never replaces a `data-live-guard` element someone is working in — an open dialog
  // or editor, a focused field — even when it was asked for just before they started.
  const BUSY = "dialog[open], details[open], input:focus, select:focus, textarea:focus";
  document.addEventListener("htmx:beforeSwap", (e) => {
    const target = e.detail.target;
    const verb = (e.detail.requestConfig && e.detail.requestConfig.verb) || "get";
    if (target && target.matches && target.matches("[data-live-guard]") && verb === "get" && target.querySelector(BUSY)) {
      e.detail.shouldSwap = false;
    }
  });
  // A refresh (GET) that brings back exactly what its target shows is not swapped: nothing redraws,
  // so a click, the keyboard focus or a selection inside it is not lost to the same content drawn
  // again. Only while the target is still the element and the markup that answer left.
  const shown = new Map();
  const pending = new WeakMap();
  document.addEventListener("htmx:beforeSwap", (e) => {
    const target = e.detail.target;
    if (!e.detail.shouldSwap || !target || !target.id) return;
    const verb = (e.detail.requestConfig && e.detail.requestConfig.verb) || "get";
    if (verb !== "get" || !e.detail.xhr) return;
    const text = e.detail.serverResponse;
    const last = shown.get(target.id);
    if (last && last.el === target && last.text === text && last.html === target.innerHTML) {
      e.detail.shouldSwap = false;
      return;
    }
    pending.set(e.detail.xhr, { id: target.id, text });
  });
  document.addEventListener("htmx:afterSettle", (e) => {
    const swapped = e.detail.xhr && pending.get(e.detail.xhr);
    if (!swapped) return;
    pending.delete(e.detail.xhr);
    const el = document.getElementById(swapped.id);
    if (el) shown.set(swapped.id, { el, text: swapped.text, html: el.innerHTML });
  });
  // A dialog's form that succeeded closes its dialog.
  document.addEventListener("htmx:afterRequest", (e) => {
    const dialog = e.detail.elt.closest && e.detail.elt.closest("dialog");
    if (dialog && e.detail.successful) { dialog.close(); if (e.detail.elt.reset) e.detail.elt.reset(); }
  });

  /* ---------- keyboard ---------- */
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  function moveInList(step) {
    const items = Array.from(document.querySelectorAll("[data-nav-item]"));
    if (!items.length) return;
    const current = items.findIndex((el) => el.getAttribute("aria-current") === "true" || el === document.activeElement);
    const next = items[Math.min(Math.max(current + step, 0), items.length - 1)];
    if (next) { next.focus(); next.click(); }
  }

  document.addEventListener("keydown", (e) => {
    if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      moveInList(e.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (e.key === "Escape") {
      const open = document.querySelector("details.menu[open]");
      if (open) open.removeAttribute("open");
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j" || e.key === "k") { e.preventDefault(); moveInList(e.key === "j" ? 1 : -1); return; }
    if (e.key === "?") { const help = document.getElementById("atalhos"); if (help) { e.preventDefault(); help.showModal(); } return; }
    const target = document.querySelector('[data-shortcut="' + CSS.escape(e.key) + '"]');
    if (target) {
      e.preventDefault();
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) target.focus(); else target.click();
    }
  });

  /* ---------- composer ---------- */
  function quickInsert(textarea) {
    const list = document.getElementById(textarea.dataset.quickList || "");
    if (!list) return null;
    const items = () => Array.from(list.querySelectorAll("[role=option]")).filter((o) => !o.hidden);
    const close = () => { list.hidden = true; textarea.setAttribute("aria-expanded", "false"); textarea.removeAttribute("aria-activedescendant"); };
    const select = (option) => {
      items().forEach((o) => o.setAttribute("aria-selected", o === option ? "true" : "false"));
      if (option) { textarea.setAttribute("aria-activedescendant", option.id); option.scrollIntoView({ block: "nearest" }); }
    };
    const choose = (option) => {
      textarea.value = option.dataset.text;
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event("input"));
    };
    list.addEventListener("mousedown", (e) => { const o = e.target.closest("[role=option]"); if (o) { e.preventDefault(); choose(o); } });
    return {
      update() {
        const v = textarea.value;
        if (!v.startsWith("/")) { close(); return; }
        const q = v.slice(1).toLowerCase();
        Array.from(list.querySelectorAll("[role=option]")).forEach((o) => { o.hidden = !o.dataset.search.includes(q); });
        list.hidden = items().length === 0;
        textarea.setAttribute("aria-expanded", list.hidden ? "false" : "true");
        select(items()[0]);
      },
      key(e) {
        if (list.hidden) return false;
        const all = items();
        const at = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
        if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); select(all[(at + (e.key === "ArrowDown" ? 1 : all.length - 1)) % all.length]); return true; }
        if (e.key === "Enter" || e.key === "Tab") { if (all[at]) { e.preventDefault(); choose(all[at]); return true; } }
        if (e.key === "Escape") { e.preventDefault(); close(); return true; }
        return false;
      },
    };
  }

  function wireComposers(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("textarea[data-composer]:not([data-wired])").forEach((textarea) => {
      textarea.dataset.wired = "1";
      const quick = quickInsert(textarea);
      const grow = () => { textarea.style.height = "auto"; textarea.style.height = Math.min(textarea.scrollHeight, 220) + "px"; };
      textarea.addEventListener("input", () => { grow(); if (quick) quick.update(); });
      textarea.addEventListener("keydown", (e) => {
        if (quick && quick.key(e)) return;
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          if (textarea.value.trim()) textarea.form.requestSubmit();
        }
      });
    });
  }

  /* ---------- counters that tick in the browser (SLA timers) ---------- */
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach((el) => {
      if (el.dataset.running !== "1") return;
      const left = (parseFloat(el.dataset.countdown) || 0) - 30;
      el.dataset.countdown = String(left);
      const label = el.querySelector("[data-countdown-text]");
      if (label) label.textContent = formatLeft(left);
    });
  }
  function formatLeft(seconds) {
    const late = seconds < 0;
    let m = Math.floor(Math.abs(seconds) / 60);
    const h = Math.floor(m / 60); m = m % 60;
    const text = h ? h + " h " + String(m).padStart(2, "0") + " min" : m + " min";
    return late ? "atrasado " + text : "vence em " + text;
  }

  function init(root) {
    wireComposers(root || document);
    updateTitle();
  }
  function showCurrentScreen() {  // the top menu scrolls sideways on a phone: bring the current item in
    const current = document.querySelector(".topnav [aria-current='page']");
    if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
    // A row of tabs too: sideways only (scrollIntoView would undo a #fragment's vertical scroll).
    document.querySelectorAll(".tabs").forEach((bar) => {
      const tab = bar.querySelector("[aria-current='page']");
      if (!tab || bar.scrollWidth <= bar.clientWidth) return;
      const past = tab.getBoundingClientRect().right - bar.getBoundingClientRect().right;
      if (past > 0) bar.scrollLeft += past + 24;
    });
  }

  document.addEventListener("DOMContentLoaded", () => { init(document); showCurrentScreen(); startLive(); setInterval(tick, 30000); });
  document.addEventListener("htmx:afterSettle", (e) => init(e.detail.elt));
})();
