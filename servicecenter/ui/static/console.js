/* The agent console: search as you type, open a hit, see who is responsible and where to transfer.
   Sections: search and results · what the detail shows (transfer card, hours, other ways to reach a
   unit) · the detail · tickets and the call's wrap-up · a new conversation (Esc Esc) · keys. */
"use strict";

(() => {
  const { el, fetchJSON, snippet, availabilityBadge, hoursToday, noticeBadge, noticeList, copyButton, combobox, debounce, readJSON,
          send, showStatus, explain } = window.SC;
  const DEBOUNCE_MS = 60;
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const county = document.getElementById("county");
  const results = document.getElementById("results");
  const status = document.getElementById("search-status");
  const detail = document.getElementById("detail");
  const places = readJSON("places-data");
  const countyNames = readJSON("counties-data");
  const callId = new URLSearchParams(location.search).get("call");
  const newButton = document.getElementById("new-conversation");
  const emptyDetail = [...detail.childNodes].map((node) => node.cloneNode(true));

  let hits = [];
  let lastPlace = null;
  let current = null; // {service, hit, place}
  let searchAbort = null;
  let detailAbort = null;

  const list = combobox(input, results, (index) => openHit(hits[index]));

  function syncUrl() {
    const params = new URLSearchParams();
    if (callId) params.set("call", callId);
    if (input.value.trim()) params.set("q", input.value.trim());
    if (county.value) params.set("county", county.value);
    const query = params.toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
  }

  /** Whether the caller's whereabouts are known well enough to name one unit: a county chosen, or a
      place in the query that lies in one county (not outside, not ambiguous). */
  function placeKnown(place) {
    return Boolean(place && place.county && !place.outside && !place.ambiguous);
  }

  async function search() {
    syncUrl();
    if (searchAbort) searchAbort.abort();
    const q = input.value.trim();
    if (!q) {
      hits = [];
      results.replaceChildren();
      list.clear();
      status.textContent = "";
      return;
    }
    searchAbort = new AbortController();
    const params = new URLSearchParams({ q, limit: "12" });
    if (county.value) params.set("county", county.value);
    let body;
    try {
      body = await fetchJSON(`/api/v1/search?${params}`, { signal: searchAbort.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `Die Suche ist gerade nicht möglich: ${error.message}`;
      return;
    }
    hits = body.hits;
    lastPlace = body.place;
    results.replaceChildren(...hits.map(resultItem));
    const place = body.place;
    const where = !place ? ""
      : place.note ? ` · ${place.name}: ${place.note}`
      : ` · Ort erkannt: ${place.name} (${place.municipality || countyNames[place.county] || place.county || ""})`;
    status.textContent = hits.length
      ? `${body.total} Treffer${where}${county.value || placeKnown(place) ? "" : " · Ort erfragen, dann steht die zuständige Stelle fest"}`
      : `Keine Treffer für „${q}“${where}. Andere Worte versuchen, z. B. den Gegenstand („Auto“, „Hund“).`;
    if (hits.length) list.reset(); else list.clear();
  }

  function unitLine(entry) {
    const number = entry.phone || "keine Nummer";
    return [entry.unit, " · ", el("span", { class: "nowrap" }, number), " ", availabilityBadge(entry), " ", noticeBadge(entry.notices)];
  }

  const stellen = (n) => (n === 1 ? "1 Stelle" : `${n} Stellen`);

  /** Under a hit: the unit to transfer to only when it is clear for this caller; otherwise how many
      units there are and that the place must be asked first — never one county's number by default. */
  function resultMeta(hit) {
    const responsible = hit.responsible;
    if (!responsible.length) return el("span", { class: "result-meta muted" }, "Keine Zuständigkeit im gewählten Gebiet");
    if (!county.value && !placeKnown(lastPlace)) {
      return el("span", { class: "result-meta ask-place" }, `${stellen(responsible.length)} – Ort erfragen`);
    }
    if (responsible.length > 1 && !placeKnown(lastPlace)) {
      const where = countyNames[county.value] || county.value;
      return el("span", { class: "result-meta ask-place" }, `${stellen(responsible.length)} in ${where} – Ort erfragen`);
    }
    return el("span", { class: "result-meta" }, unitLine(responsible[0]),
      responsible.length > 1 ? el("span", { class: "muted" }, ` · +${responsible.length - 1} weitere`) : null);
  }

  function resultItem(hit, index) {
    return el("li", { role: "option", id: `hit-${index}`, class: "result", "aria-selected": "false" },
      el("span", { class: "result-title" }, hit.title, hit.described ? null : el("span", { class: "muted" }, " · LeiKa, ohne Beschreibung"),
        hit.notices.length ? " " : null, noticeBadge(hit.notices)),
      el("span", { class: "result-snippet" }, snippet(hit.snippet)),
      resultMeta(hit));
  }

  /** A LeiKa entry without an EMH description: what the list says, and the derived first contact. */
  function renderLeika(entry, hit) {
    current = null;
    showOutcomeService();
    detail.replaceChildren(
      el("header", { class: "detail-head" },
        el("p", { class: "eyebrow" }, `LeiKa ${entry.key} · Typ ${entry.typisierung || "–"} · keine Beschreibung im Servicecenter`),
        el("h2", { id: "detail-heading", tabindex: "-1" }, entry.name),
        entry.ozg_leistung ? el("p", { class: "lead" }, `OZG-Leistung: ${entry.ozg_leistung}`) : null),
      hit.responsible.length ? transferCard(hit.responsible[0]) : el("p", {}, "Keine zuständige Stelle hinterlegt."),
      entry.rechtsgrundlage ? textBlock("Rechtsgrundlage", entry.rechtsgrundlage) : null);
    status.textContent = `Angezeigt: ${entry.name} (LeiKa)`;
  }

  async function openHit(hit) {
    if (!hit) return;
    if (detailAbort) detailAbort.abort();
    detailAbort = new AbortController();
    if (!hit.described) {
      try {
        renderLeika(await fetchJSON(`/api/v1/leika/${encodeURIComponent(hit.id)}`, { signal: detailAbort.signal }), hit);
      } catch (error) {
        if (error.name !== "AbortError") status.textContent = `Der LeiKa-Eintrag konnte nicht geladen werden: ${error.message}`;
      }
      return;
    }
    let service;
    try {
      service = await fetchJSON(`/api/v1/services/${encodeURIComponent(hit.id)}`, { signal: detailAbort.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      status.textContent = `Die Leistung konnte nicht geladen werden: ${error.message}`;
      return;
    }
    current = { service, hit, place: lastPlace };
    renderDetail();
    showOutcomeService();
    status.textContent = `Angezeigt: ${service.title}`;
    if (window.matchMedia("(max-width: 899px)").matches) detail.scrollIntoView({ block: "start" });
  }

  const key = (r) => `${r.unit_id}|${r.county}|${r.place || ""}`;

  /** The responsibilities for the caller: the place named in the query, else the chosen county. */
  function focusOf({ service, hit, place }) {
    if (placeKnown(place)) {
      const wanted = new Set(hit.responsible.map(key));
      return service.responsible.filter((r) => wanted.has(key(r)));
    }
    if (county.value) return service.responsible.filter((r) => r.county === county.value);
    return [];
  }

  function territory(entry) {
    const where = entry.place ? places[entry.place] || entry.place : "ganzer Kreis";
    return `${countyNames[entry.county] || entry.county} · ${where}`;
  }

  function numberRow(label, value, what, big) {
    return el("div", { class: big ? "transfer-row transfer-main" : "transfer-row" },
      el("span", { class: "transfer-label" }, label),
      el("span", { class: "transfer-number" }, value),
      copyButton(value, what));
  }

  const link = (href, text) => el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text);

  /** The other ways to reach a unit: its website, e-mail and visitor address. */
  function otherWays(entry) {
    return [
      entry.website ? el("li", {}, el("span", { class: "way-label" }, "Website "), link(entry.website, entry.website)) : null,
      entry.email ? el("li", {}, el("span", { class: "way-label" }, "E-Mail "), el("a", { href: `mailto:${entry.email}` }, entry.email), " ",
        copyButton(entry.email, "E-Mail-Adresse")) : null,
      entry.address ? el("li", {}, el("span", { class: "way-label" }, "Besuchsadresse "), entry.address) : null,
    ].filter(Boolean);
  }

  /** Without a phone number there is nothing to transfer to: say so, and offer the other ways. */
  function noPhone(entry) {
    const ways = otherWays(entry);
    return el("div", { class: "transfer-none" },
      el("p", { class: "transfer-row" }, el("strong", {}, "Keine Rufnummer – nicht weiterverbinden."),
        ways.length ? " Stattdessen:" : " Es sind keine anderen Kontaktdaten hinterlegt."),
      ways.length ? el("ul", { class: "ways" }, ways) : null);
  }

  /** The week with equal days grouped, then today: its hours, a closure, when it opens again; notices. */
  function hoursBlock(entry) {
    return el("div", { class: "hours-block" },
      el("p", { class: "hours" }, availabilityBadge(entry), " ", entry.hours || "Öffnungszeiten nicht hinterlegt"),
      el("p", { class: "today" }, hoursToday(entry)),
      noticeList(entry.notices));
  }

  function transferCard(entry) {
    return el("section", { class: "transfer-card", "aria-labelledby": "transfer-heading" },
      el("p", { class: "eyebrow" }, `Zuständig · ${territory(entry)}`),
      el("h3", { id: "transfer-heading" }, entry.unit),
      entry.phone
        ? el("div", { class: "transfer" },
          numberRow("Weiterverbinden an", entry.phone, "Rufnummer", true),
          entry.extension ? numberRow("Durchwahl", entry.extension, "Durchwahl", false) : null)
        : noPhone(entry),
      hoursBlock(entry),
      entry.phone && entry.address ? el("p", { class: "address" }, el("span", { class: "way-label" }, "Besuchsadresse "), entry.address) : null,
      entry.phone && entry.email ? el("p", { class: "muted" }, "E-Mail: ", el("a", { href: `mailto:${entry.email}` }, entry.email)) : null,
      entry.fees ? el("p", {}, el("strong", {}, "Gebühren hier: "), entry.fees) : null,
      entry.notes ? el("p", { class: "note" }, entry.notes) : null);
  }

  function compactEntry(entry) {
    const reach = entry.phone
      ? [entry.phone, entry.extension ? ` · DW ${entry.extension}` : ""]
      : ["keine Nummer", entry.email ? ` · ${entry.email}` : entry.website ? ` · ${entry.website}` : ""];
    return el("li", { class: "compact-unit" },
      el("span", { class: "compact-where" }, territory(entry)),
      el("span", { class: "compact-name" }, entry.unit),
      el("span", { class: "compact-number" }, ...reach, " ",
        availabilityBadge(entry), " ", noticeBadge(entry.notices), " ", entry.phone ? copyButton(entry.phone, `Rufnummer ${entry.unit}`) : null));
  }

  function textBlock(title, text) {
    if (!text) return null;
    return el("div", { class: "fact" }, el("h3", {}, title), el("p", { class: "pre-line" }, text));
  }

  function renderDetail() {
    if (!current) return;
    const { service } = current;
    const focus = focusOf(current);
    const focusKeys = new Set(focus.map(key));
    const others = service.responsible.filter((r) => !focusKeys.has(key(r)));
    const parts = [
      el("header", { class: "detail-head" },
        el("p", { class: "eyebrow" }, "Leistung", service.leika ? ` · LeiKa ${service.leika}` : ""),
        el("h2", { id: "detail-heading", tabindex: "-1" }, service.title),
        service.short_text ? el("p", { class: "lead pre-line" }, service.short_text) : null,
        noticeList(service.notices),
        el("button", { type: "button", class: "button-secondary", onclick: () => recordTicket(service, focus) }, "Anliegen aufnehmen")),
    ];
    if (focus.length === 1 || (focus.length > 1 && placeKnown(current.place))) {
      parts.push(transferCard(focus[0]));
      if (focus.length > 1) parts.push(el("ul", { class: "compact-list" }, focus.slice(1).map(compactEntry)));
    } else if (focus.length > 1) {
      parts.push(el("section", { class: "transfer-card transfer-choice", "aria-labelledby": "transfer-heading" },
        el("h3", { id: "transfer-heading" }, "Zuständig je nach Wohnort – bitte den Ort erfragen"),
        el("ul", { class: "compact-list" }, focus.map(compactEntry))));
    } else {
      const why = county.value || current.place
        ? "Für das gewählte Gebiet ist keine Stelle hinterlegt."
        : "Kreis wählen oder den Wohnort in die Suche schreiben, dann steht hier die zuständige Stelle.";
      parts.push(el("section", { class: "transfer-card transfer-choice", "aria-labelledby": "transfer-heading" },
        el("h3", { id: "transfer-heading" }, "Zuständige Stelle"), el("p", {}, why)));
    }
    const online = service.online_service
      ? el("div", { class: "fact" }, el("h3", {}, "Online erledigen"),
          el("p", {}, el("a", { href: service.online_service, target: "_blank", rel: "noopener noreferrer" }, service.online_service)))
      : null;
    parts.push(el("div", { class: "facts" },
      textBlock("Unterlagen", service.documents),
      textBlock("Gebühren", service.fees),
      online,
      textBlock("Voraussetzungen", service.requirements),
      textBlock("Fristen", service.deadlines),
      textBlock("Bearbeitungsdauer", service.processing_time)));
    const more = [
      textBlock("Beschreibung", service.full_text),
      textBlock("Ablauf", service.procedure),
      textBlock("Formulare", service.forms),
      textBlock("Rechtsgrundlage", service.legal_basis),
      textBlock("Hinweise", service.notes),
    ].filter(Boolean);
    if (others.length) {
      parts.push(el("details", { class: "more" },
        el("summary", {}, `Weitere Zuständigkeiten (${others.length})`),
        el("ul", { class: "compact-list" }, others.map(compactEntry))));
    }
    if (more.length) parts.push(el("details", { class: "more" }, el("summary", {}, "Ausführliche Beschreibung"), more));
    detail.replaceChildren(...parts);
  }

  /** "Anliegen aufnehmen": a callback or a question for the responsible unit, prefilled from the hit and call. */
  function recordTicket(service, focus) {
    const unit = focus.length === 1 || (focus.length > 1 && current && placeKnown(current.place)) ? focus[0] : null;
    SC.ticketForm.open(detail, {
      kinds: ["callback", "forward"],
      county: county.value || (unit && unit.county) || null,
      service_id: service ? service.id : null,
      service_title: service ? service.title : null,
      unit_id: unit ? unit.unit_id : null,
      unit_name: unit ? unit.unit : null,
      decision_id: callId,
    });
  }
  const callTicket = document.getElementById("call-ticket");
  if (callTicket) callTicket.addEventListener("click", () => recordTicket(current && current.service, current ? focusOf(current) : []));
  // The wrap-up of the call ("Abschluss"): one of five outcomes and the service shown, keyboard first.
  const outcomeForm = document.getElementById("outcome-form");
  const outcomeService = document.getElementById("outcome-service");
  const outcomeStatus = document.getElementById("outcome-status");

  function showOutcomeService() {
    if (outcomeService) outcomeService.textContent = current ? current.service.title : "keine geöffnet";
  }

  if (outcomeForm) {
    const choices = [...outcomeForm.querySelectorAll('input[name="outcome"]')];
    outcomeForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const choice = choices.find((input) => input.checked);
      if (!choice) {
        showStatus(outcomeStatus, "error", "Bitte einen Abschluss wählen.");
        choices[0].focus();
        return;
      }
      const service = current ? current.service : null;
      const answer = await send(`/api/v1/decisions/${encodeURIComponent(outcomeForm.dataset.decision)}/outcome`, {
        method: "POST", json: { outcome: choice.value, service_id: service ? service.id : null } });
      if (!answer.ok) { explain(outcomeStatus, answer); return; }
      const label = choice.parentElement.textContent.trim().replace(/^\d\s*/, "");
      showStatus(outcomeStatus, "success",
        `${answer.body.replaced ? "Korrigiert" : "Gespeichert"}: ${label}${service ? ` · ${service.title}` : ""}`);
    });
    outcomeForm.addEventListener("keydown", (event) => {
      if (!event.target.matches('input[name="outcome"]')) return;
      const number = Number(event.key);
      if (number >= 1 && number <= choices.length) {
        event.preventDefault();
        choices[number - 1].checked = true;
        choices[number - 1].focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
        outcomeForm.requestSubmit();
      }
    });
    document.addEventListener("keydown", (event) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.key.toLowerCase() !== "a") return;
      event.preventDefault();
      (choices.find((input) => input.checked) || choices[0]).focus();
    });
  }

  // A new conversation: search, results and detail cleared, the county back to the call's (if any).
  function newConversation() {
    if (searchAbort) searchAbort.abort();
    if (detailAbort) detailAbort.abort();
    input.value = "";
    county.value = newButton.dataset.callCounty || "";
    hits = [];
    lastPlace = null;
    current = null;
    results.replaceChildren();
    list.clear();
    detail.replaceChildren(...emptyDetail.map((node) => node.cloneNode(true)));
    showOutcomeService();
    syncUrl();
    status.textContent = "Neues Gespräch – Suche ist leer.";
    input.focus();
  }
  newButton.addEventListener("click", newConversation);

  // Esc clears the search; Esc on an empty search (so Esc twice) starts a new conversation. Not while
  // a form in the detail (a ticket) or the wrap-up is being filled in: Esc must not lose its text.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (event.target.closest && event.target.closest("#detail form, #outcome-form")) return;
    event.preventDefault();
    if (input.value) { input.value = ""; search(); input.focus(); } else newConversation();
  });

  const searchSoon = debounce(search, DEBOUNCE_MS);
  input.addEventListener("input", searchSoon);
  form.addEventListener("submit", (event) => event.preventDefault());
  county.addEventListener("change", async () => {
    await search();
    if (current) {
      const again = hits.find((h) => h.id === current.service.id);
      current = { ...current, hit: again || current.hit, place: lastPlace };
      renderDetail();
    }
  });

  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
  if (new URLSearchParams(location.search).has("called")) syncUrl(); // a screen pop's numbers leave the address bar
  if (input.value.trim()) search();
})();
