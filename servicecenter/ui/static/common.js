/* Shared helpers for the pages: building DOM safely, JSON fetches, copying numbers, list navigation.
   Plain JavaScript, no build step. Text always goes in through textContent, never as HTML. */
"use strict";

window.SC = (() => {
  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** JSON from the API; a problem+json answer becomes an Error carrying the problem. A request aborted
      while its body arrives stays an AbortError (a newer search replaced it), never an empty answer. */
  async function fetchJSON(url, options = {}) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, ...options });
    const body = await response.json().catch((error) => {
      if (error.name === "AbortError") throw error;
      return null;
    });
    if (!response.ok) {
      const error = new Error((body && (body.detail || body.title)) || `HTTP ${response.status}`);
      error.problem = body;
      throw error;
    }
    return body;
  }

  /** Search snippets arrive as escaped text with <mark> around matches; keep only those marks. */
  function snippet(html) {
    const template = document.createElement("template");
    template.innerHTML = html || "";
    const out = document.createDocumentFragment();
    for (const node of template.content.childNodes) {
      out.append(node.nodeName === "MARK" ? el("mark", {}, node.textContent) : node.textContent);
    }
    return out;
  }

  function openBadge(openNow) {
    if (openNow === true) return el("span", { class: "badge badge-open" }, "Jetzt geöffnet");
    if (openNow === false) return el("span", { class: "badge badge-closed" }, "Jetzt geschlossen");
    return el("span", { class: "badge badge-unknown" }, "Zeiten unbekannt");
  }

  const BERLIN_TIME = new Intl.DateTimeFormat("de-DE", {
    timeZone: "Europe/Berlin", weekday: "short", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
  });

  /** A time of the API in German, Berlin time: "Mo., 01.12., 08:00". */
  function when(iso) {
    return iso ? BERLIN_TIME.format(new Date(iso)) : "";
  }

  /** The badge of an office: a closure in force ("heute geschlossen", "geschlossen bis 14:00") before
      open or closed by its hours. */
  function availabilityBadge(entry) {
    if (entry.closure) return el("span", { class: "badge badge-closed", title: entry.closure.text }, entry.closure.badge || "geschlossen");
    return openBadge(entry.open_now);
  }

  /** What an agent says about an office's hours today: today's hours, why it is closed, when it opens again. */
  function hoursToday(entry) {
    const parts = [];
    if (entry.hours_today) parts.push(`Heute: ${entry.hours_today.replace(/^heute /, "")}`);
    if (entry.closure) {
      parts.push(entry.closure.text);
      if (entry.closure.announcement) parts.push(`Ansage: „${entry.closure.announcement}“`);
    }
    if (entry.opens_next) parts.push(`Öffnet wieder ${when(entry.opens_next)} Uhr`);
    return parts.length ? el("span", { class: "hours-today" }, parts.join(" · ")) : null;
  }

  /** A small badge saying an entry has notices in force, with their texts as its accessible name. */
  function noticeBadge(notices) {
    if (!notices || !notices.length) return null;
    const warning = notices.some((n) => n.severity === "warning");
    const label = `${warning ? "Achtung" : "Hinweis"}${notices.length > 1 ? ` (${notices.length})` : ""}`;
    return el("span", { class: `badge ${warning ? "badge-warning" : "badge-info"}`, title: notices.map((n) => n.text).join(" / "),
                        "aria-label": `${label}: ${notices.map((n) => n.text).join(" / ")}` }, label);
  }

  /** The notices in force for an entry, in full, warnings first (as the API sends them). */
  function noticeList(notices) {
    if (!notices || !notices.length) return null;
    return el("ul", { class: "notice-list" }, notices.map((n) =>
      el("li", { class: `message message-${n.severity === "warning" ? "warning" : "info"}` },
        el("strong", {}, n.severity === "warning" ? "Achtung: " : "Hinweis: "), n.text,
        el("span", { class: "muted" }, ` (bis ${when(n.valid_until)} Uhr)`))));
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      const area = el("textarea", { class: "visually-hidden", "aria-hidden": "true" }, text);
      document.body.append(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      return ok;
    }
  }

  /** A button that copies `text` and says so, for the number an agent transfers to. */
  function copyButton(text, what) {
    const button = el("button", { type: "button", class: "button-copy", "aria-label": `${what} ${text} kopieren` }, "Kopieren");
    button.addEventListener("click", async () => {
      const ok = await copy(text);
      button.textContent = ok ? "Kopiert ✓" : "Nicht kopiert";
      setTimeout(() => { button.textContent = "Kopieren"; }, 1500);
    });
    return button;
  }

  /** Combobox keyboard behaviour: ↑/↓ move the active option, Enter picks it, a click picks too. The list
      is a listbox of options, or a grid of one cell per row where an entry holds links and buttons (an
      option may not: its content is read as plain text). */
  function combobox(input, list, onPick) {
    let active = -1;
    const OPTION = '[role="option"], [role="gridcell"]';
    const options = () => [...list.querySelectorAll(OPTION)];
    function setActive(index) {
      const all = options();
      active = all.length ? Math.max(0, Math.min(index, all.length - 1)) : -1;
      all.forEach((option, i) => option.setAttribute("aria-selected", i === active ? "true" : "false"));
      input.setAttribute("aria-expanded", all.length ? "true" : "false");
      if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { event.preventDefault(); setActive(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); setActive(active - 1); }
      else if (event.key === "Enter") { event.preventDefault(); if (active >= 0) onPick(active); }
    });
    list.addEventListener("click", (event) => {
      const option = event.target.closest(OPTION);
      if (!option || event.target.closest("a, button")) return;
      const index = options().indexOf(option);
      setActive(index);
      onPick(index);
      input.focus();
    });
    return { reset: () => setActive(0), clear: () => setActive(-1) };
  }

  /** Run `fn` `ms` after the last call; results then show well within 150 ms of the last key. */
  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function readJSON(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  /** The session's CSRF token, rendered into the page for logged-in users. */
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : null;
  }

  /** A JSON request to the API that never throws for HTTP errors: {status, ok, body, headers}.
      Sends the CSRF token on every change, If-Match when an ETag is given, Idempotency-Key when a key is. */
  async function send(url, { method = "GET", json, etag, idempotencyKey } = {}) {
    const headers = { Accept: "application/json" };
    const token = csrfToken();
    if (token && method !== "GET") headers["X-CSRF-Token"] = token;
    if (etag) headers["If-Match"] = etag;
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    if (json !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await fetch(url, { method, headers, body: json === undefined ? undefined : JSON.stringify(json),
                                          credentials: "same-origin" });
      const body = response.status === 204 ? null : await response.json().catch(() => null);
      return { status: response.status, ok: response.ok, body, headers: response.headers };
    } catch {
      return { status: 0, ok: false, body: null, headers: new Headers() };
    }
  }

  /** Show a notice in a form's status area (role alert for errors, so screen readers hear it). */
  function showStatus(area, level, text, ...extra) {
    area.replaceChildren();
    if (!level) return;
    area.append(el("div", { class: `message message-${level}`, role: level === "error" ? "alert" : "status" }, text, ...extra));
  }

  /** The notice for an answer other than success, in German; `conflict` offers loading the current version. */
  function explain(area, answer) {
    if (answer.status === 412) {
      showStatus(area, "error",
        "Jemand anderes hat diesen Eintrag inzwischen gespeichert. Ihre Änderung wurde nicht übernommen – " +
        "laden Sie die aktuelle Fassung und tragen Sie Ihre Änderung dort erneut ein. ",
        el("button", { type: "button", class: "button-secondary", onclick: () => location.reload() }, "Aktuelle Fassung laden"));
    } else if (answer.status === 401) {
      const login = `/anmelden?next=${encodeURIComponent(location.pathname + location.search)}`;
      showStatus(area, "error", "Ihre Anmeldung ist abgelaufen. ", el("a", { href: login }, "Neu anmelden"));
    } else if (answer.status === 403) {
      showStatus(area, "error", "Sie dürfen diesen Eintrag nicht ändern.");
    } else if (answer.status === 404) {
      showStatus(area, "error", "Diesen Eintrag gibt es nicht mehr. Laden Sie die Seite neu.");
    } else if (answer.status === 0) {
      showStatus(area, "error", "Keine Verbindung zum Server. Bitte versuchen Sie es gleich noch einmal.");
    } else {
      showStatus(area, "error", `Das hat nicht geklappt (Fehler ${answer.status}). Bitte versuchen Sie es später erneut.`);
    }
    area.focus();
  }

  /** A validation message of the API in German; `input` may name its own format rule. */
  function germanMessage(msg, input) {
    const text = String(msg || "");
    let match;
    if ((match = text.match(/at most (\d+) (characters|items)/))) return `Höchstens ${match[1]} ${match[2] === "items" ? "Einträge" : "Zeichen"}.`;
    if (/at least 1 (character|item)/.test(text) || /may not be null/.test(text)) return "Bitte ausfüllen.";
    if ((match = text.match(/at least (\d+) characters/))) return `Mindestens ${match[1]} Zeichen.`;
    if (/should match pattern/.test(text)) return (input && input.dataset.patternMessage) || "Das Format stimmt nicht.";
    if (/closes before it opens/.test(text)) return "Das Ende liegt vor dem Beginn.";
    if (/overlap/.test(text)) return "Die Zeiträume überschneiden sich.";
    if (/expected 'HH:MM-HH:MM'|Invalid isoformat/.test(text)) return "Bitte Uhrzeiten als HH:MM angeben.";
    if (/unknown unit/.test(text)) return "Diese Stelle gibt es nicht.";
    if (/is no place in/.test(text)) return "Dieses Gebiet liegt nicht in diesem Kreis.";
    if (/unknown reference/.test(text)) return "Diesen Eintrag gibt es nicht.";
    if (/phone number/.test(text)) return "Keine gültige Telefonnummer, z. B. +49 6592 939-110.";
    if (/http or https address|web address/.test(text)) return "Bitte eine Webadresse mit https:// angeben.";
    if (/belongs to county/.test(text)) return "Diese Stelle gehört zu einem anderen Kreis.";
    return "Diese Angabe ist ungültig.";
  }

  // Logout: the session ends on the server (CSRF-checked), then the login page says so.
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await send("/api/v1/session", { method: "DELETE" });
      location.assign(`${logout.dataset.loginUrl}?abgemeldet=1`);
    });
  }

  // "/" jumps to the page's search field from anywhere but a text field.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const search = document.querySelector('input[type="search"]');
    if (search) { event.preventDefault(); search.focus(); search.select(); }
  });

  return { el, fetchJSON, snippet, availabilityBadge, hoursToday, noticeBadge, noticeList, when, copy, copyButton,
           combobox, debounce, readJSON, send, showStatus, explain, germanMessage };
})();
