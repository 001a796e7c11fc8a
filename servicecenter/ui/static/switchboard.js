/* Switchboard: find a person, function or office in the directory and copy the number to transfer to.
   Enter copies the active entry's number as dialled (+4965611550); for an absent person the deputy's.
   Alt+N leaves a message for the active entry (a message ticket for its unit). */
"use strict";

(() => {
  const { el, fetchJSON, availabilityBadge, hoursToday, noticeBadge, copy, combobox, debounce, readJSON } = window.SC;
  const form = document.getElementById("unit-form");
  const input = document.getElementById("unit-q");
  const county = document.getElementById("unit-county");
  const list = document.getElementById("units");
  const status = document.getElementById("unit-status");
  const countyNames = readJSON("counties-data");
  const messageArea = document.getElementById("message-area");
  const banner = document.querySelector(".call-banner[data-call-id]");
  const callId = banner ? banner.dataset.callId : null;
  let entries = [];
  let abort = null;

  const germanDate = (iso) => iso.split("-").reverse().join(".");

  /** Who answers for an entry now: the entry, or the deputy of an absent person. */
  function answering(entry) {
    return !entry.present && entry.deputy ? entry.deputy : entry;
  }

  async function pick(index) {
    const entry = entries[index];
    if (!entry) return;
    const target = answering(entry);
    if (!target.dial) { status.textContent = `Für ${target.name} ist keine Rufnummer eingetragen.`; return; }
    const ok = await copy(target.dial);
    const why = target === entry ? "" : ` – Vertretung für ${entry.name}, abwesend bis ${germanDate(entry.absent_until)}`;
    status.textContent = ok ? `Rufnummer ${target.dial} kopiert (${target.name}${why}).` : "Kopieren nicht möglich.";
  }

  const box = combobox(input, list, pick);

  function reach(entry) {
    return el("span", { class: "reach" },
      entry.extension ? el("span", { class: "reach-extension" }, `DW ${entry.extension}`) : null,
      entry.dial ? el("a", { class: "reach-dial", href: `tel:${entry.dial}` }, entry.dial) : el("span", { class: "muted" }, "keine Rufnummer"),
      entry.sip ? el("a", { class: "reach-sip", href: entry.sip, "aria-label": `SIP ${entry.name}` }, "SIP") : null);
  }

  /** A unit: open now (or closed, and why) and its hours; a person: there or away. Both with notices. */
  function presence(entry) {
    const notices = noticeBadge(entry.notices);
    if (entry.kind === "unit") return [availabilityBadge(entry), " ", notices, " ", entry.hours_text || "Öffnungszeiten nicht hinterlegt"];
    if (entry.present) return [el("span", { class: "badge badge-open" }, "anwesend"), " ", notices];
    return [el("span", { class: "badge badge-closed" }, `abwesend bis ${germanDate(entry.absent_until)}`), " ", notices];
  }

  /** Today's hours, a closure of the office and the notices in force, in full. */
  function today(entry) {
    const notices = entry.notices.map((n) => el("span", { class: `notice-inline notice-${n.severity}` },
      `${n.severity === "warning" ? "Achtung" : "Hinweis"}: ${n.text}`));
    const hours = hoursToday(entry);
    return hours || notices.length ? el("span", { class: "unit-today" }, hours, notices) : null;
  }

  function item(entry, index) {
    const where = [countyNames[entry.county] || "überregional", entry.kind === "person" ? entry.unit : null].filter(Boolean).join(" · ");
    return el("div", { role: "row" }, el("div", { role: "gridcell", id: `entry-${index}`, class: `result directory-entry is-${entry.kind}${entry.present ? "" : " is-absent"}`, "aria-selected": "false" },
      el("span", { class: "unit-main" },
        el("span", { class: "kind-label" }, entry.kind === "person" ? "Person" : "Stelle"),
        el("span", { class: "result-title" }, entry.name),
        entry.function ? el("span", { class: "entry-function" }, entry.function) : null,
        el("span", { class: "muted" }, where)),
      el("span", { class: "unit-number" }, reach(entry)),
      el("span", { class: "result-meta" }, ...presence(entry)),
      today(entry),
      !entry.present && entry.deputy
        ? el("span", { class: "deputy" }, "Vertretung: ", el("strong", {}, entry.deputy.name),
            entry.deputy.function ? ` – ${entry.deputy.function}` : "", " ", reach(entry.deputy))
        : !entry.present ? el("span", { class: "deputy muted" }, "Keine Vertretung eingetragen.") : null,
      entry.kind === "person" && entry.topics.length ? el("span", { class: "entry-topics muted" }, `Zuständig für: ${entry.topics.join(", ")}`) : null,
      entry.internal_note ? el("span", { class: "internal-note" }, `Hinweis: ${entry.internal_note}`) : null,
      el("span", { class: "entry-actions" },
        el("button", { type: "button", class: "button-copy", tabindex: "-1", onclick: () => pick(index) }, "Kopieren"),
        el("button", { type: "button", class: "button-copy", tabindex: "-1", onclick: () => leaveMessage(entry) }, "Nachricht hinterlassen"))));
  }

  /** "Nachricht hinterlassen": a message ticket for the entry's unit (a person's: addressed to them). */
  function leaveMessage(entry) {
    messageArea.replaceChildren();
    const person = entry.kind === "person";
    SC.ticketForm.open(messageArea, {
      kinds: ["message"],
      county: entry.county,
      unit_id: person ? entry.unit_id : entry.id,
      unit_name: person ? `${entry.name}${entry.function ? ` (${entry.function})` : ""}, ${entry.unit}` : entry.name,
      summary: person ? `Nachricht für ${entry.name}: ` : "",
      decision_id: callId,
    }, () => input.focus());
  }

  async function search() {
    const params = new URLSearchParams();
    const q = input.value.trim();
    if (q) params.set("q", q);
    if (county.value) params.set("county", county.value);
    if (callId) params.set("call", callId);
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
    if (abort) abort.abort();
    if (!q) { entries = []; list.replaceChildren(); box.clear(); status.textContent = ""; return; }
    abort = new AbortController();
    params.delete("call");
    params.set("limit", "30");
    try {
      entries = await fetchJSON(`/api/v1/directory?${params}`, { signal: abort.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `Die Suche ist gerade nicht möglich: ${error.message}`;
      return;
    }
    list.replaceChildren(...entries.map(item));
    status.textContent = entries.length ? `${entries.length} Treffer – Enter kopiert die Rufnummer.` : `Nichts gefunden für „${q}“.`;
    if (entries.length) box.reset(); else box.clear();
  }

  input.addEventListener("input", debounce(search, 60));
  county.addEventListener("change", search);
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); input.value = ""; search(); }
  });
  /** The entry whose cell is selected in the list, if any. */
  function selected() {
    const index = [...list.querySelectorAll('[role="gridcell"]')].findIndex((o) => o.getAttribute("aria-selected") === "true");
    return index >= 0 ? entries[index] : null;
  }
  document.addEventListener("keydown", (event) => {
    if (!(event.altKey && (event.key === "n" || event.key === "N"))) return;
    const called = document.getElementById("called-message");
    const entry = selected() || (called && JSON.parse(called.dataset.entry));
    if (!entry) return;
    event.preventDefault();
    leaveMessage(entry);
  });
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const ok = await copy(button.dataset.copy);
      status.textContent = ok ? `Rufnummer ${button.dataset.copy} kopiert.` : "Kopieren nicht möglich.";
    });
  }
  const calledMessage = document.getElementById("called-message");
  if (calledMessage) calledMessage.addEventListener("click", () => leaveMessage(JSON.parse(calledMessage.dataset.entry)));
  input.focus();
  if (input.value.trim()) search();
})();
