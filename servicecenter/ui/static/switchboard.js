/* Switchboard lookup: find an office by name or topic and copy the number to transfer to. */
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
  let units = [];
  let abort = null;

  async function pick(index) {
    const unit = units[index];
    if (!unit || !unit.phone) return;
    const ok = await copy(unit.phone);
    status.textContent = ok ? `Rufnummer ${unit.phone} kopiert (${unit.name}).` : "Kopieren nicht möglich.";
  }

  const box = combobox(input, list, pick);

  function item(unit, index) {
    return el("li", { role: "option", id: `unit-${index}`, class: "result unit", "aria-selected": "false" },
      el("span", { class: "unit-main" },
        el("span", { class: "result-title" }, unit.name),
        el("span", { class: "muted" }, countyNames[unit.county] || "überregional", unit.city ? ` · ${unit.city}` : "")),
      el("span", { class: "unit-number" },
        unit.extension ? el("span", { class: "unit-extension" }, `DW ${unit.extension}`) : null,
        el("span", { class: "unit-phone" }, unit.phone || "keine Nummer")),
      el("span", { class: "result-meta" }, availabilityBadge(unit), " ", noticeBadge(unit.notices), " ",
        unit.hours_text || "Öffnungszeiten nicht hinterlegt",
        " ", el("button", { type: "button", class: "button-copy", onclick: () => leaveMessage(unit) }, "Nachricht hinterlassen")),
      el("span", { class: "unit-today" }, hoursToday(unit),
        unit.notices.map((n) => el("span", { class: `notice-inline notice-${n.severity}` },
          `${n.severity === "warning" ? "Achtung" : "Hinweis"}: ${n.text}`))));
  }

  /** "Nachricht hinterlassen": the caller's message for a unit that does not pick up, e-mailed to it. */
  function leaveMessage(unit) {
    messageArea.replaceChildren();
    SC.ticketForm.open(messageArea, {
      kinds: ["message"], county: unit.county, unit_id: unit.id, unit_name: unit.name, decision_id: null,
    });
  }

  async function search() {
    const params = new URLSearchParams();
    const q = input.value.trim();
    if (q) params.set("q", q);
    if (county.value) params.set("county", county.value);
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
    if (abort) abort.abort();
    if (!q) { units = []; list.replaceChildren(); box.clear(); status.textContent = ""; return; }
    abort = new AbortController();
    params.set("limit", "30");
    try {
      units = await fetchJSON(`/api/v1/units?${params}`, { signal: abort.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `Die Suche ist gerade nicht möglich: ${error.message}`;
      return;
    }
    list.replaceChildren(...units.map(item));
    status.textContent = units.length ? `${units.length} ${units.length === 1 ? "Stelle" : "Stellen"} gefunden` : `Keine Stelle für „${q}“ gefunden.`;
    if (units.length) box.reset(); else box.clear();
  }

  input.addEventListener("input", debounce(search, 60));
  county.addEventListener("change", search);
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); input.value = ""; search(); }
  });
  input.focus();
  if (input.value.trim()) search();
})();
