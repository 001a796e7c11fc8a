/* Search insights: take a query over as a synonym (PUT /api/v1/synonyms with If-Match) or add it to a
   service's search terms (PATCH /api/v1/services/{id} with If-Match). Each action opens a small form
   under its row; Escape closes it. */
"use strict";

(() => {
  const { el, send, fetchJSON, showStatus, explain, debounce } = SC;
  const status = document.getElementById("insights-status");
  let openForm = null;

  function close() {
    if (!openForm) return;
    const { row, formRow } = openForm;
    formRow.remove();
    openForm = null;
    row.querySelector("button").focus();
  }

  function formRow(row, form) {
    const cells = row.children.length;
    const tr = el("tr", { class: "takeover-row" }, el("td", { colspan: String(cells) }, form));
    row.after(tr);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); close(); } });
    openForm = { row, formRow: tr };
    form.querySelector("input").focus();
  }

  function done(row, text) {
    close();
    row.querySelector(".insights-actions").replaceChildren(el("span", { class: "badge badge-open" }, "übernommen"));
    showStatus(status, "success", text);
    status.focus();
  }

  async function addSynonym(query, terms) {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await send("/api/v1/synonyms");
      if (!current.ok) return current;
      const entries = { ...current.body.entries };
      entries[query] = [...new Set([...(entries[query] || []), ...terms])];
      const saved = await send("/api/v1/synonyms", { method: "PUT", json: { entries }, etag: current.headers.get("ETag") });
      if (saved.status !== 412) return saved;
    }
    return { status: 412, ok: false };
  }

  function synonymForm(row) {
    const query = row.dataset.query;
    const id = `terms-${Math.random().toString(36).slice(2)}`;
    const input = el("input", { id, name: "terms", autocomplete: "off", maxlength: "300", "aria-describedby": `${id}-hint` });
    const error = el("p", { class: "field-error", hidden: true });
    const form = el("form", { class: "takeover", "aria-label": `„${query}“ als Synonym übernehmen` },
      el("div", { class: "field" },
        el("label", { for: id }, `„${query}“ meint`),
        input,
        el("p", { class: "hint", id: `${id}-hint` }, "Begriffe des Verzeichnisses, durch Komma getrennt, z. B. „sperrmüll“."),
        error),
      el("button", { type: "submit", class: "button-primary" }, "Übernehmen"),
      el("button", { type: "button", class: "button-secondary", onclick: close }, "Abbrechen"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const terms = input.value.split(",").map((t) => t.trim()).filter(Boolean);
      if (!terms.length) { error.textContent = "Bitte mindestens einen Begriff angeben."; error.hidden = false; input.focus(); return; }
      const saved = await addSynonym(query, terms);
      if (!saved.ok) { explain(status, saved); return; }
      done(row, `Übernommen: „${query}“ findet jetzt auch ${terms.map((t) => `„${t}“`).join(", ")} (Synonymliste, Fassung ${saved.body.version}).`);
    });
    formRow(row, form);
  }

  function serviceForm(row) {
    const query = row.dataset.query;
    const id = `service-${Math.random().toString(36).slice(2)}`;
    const input = el("input", { id, type: "search", autocomplete: "off", maxlength: "200", "aria-controls": `${id}-list` });
    const list = el("select", { id: `${id}-list`, size: "5", "aria-label": "Gefundene Leistungen" });
    const error = el("p", { class: "field-error", hidden: true });
    const find = debounce(async () => {
      const q = input.value.trim();
      if (!q) { list.replaceChildren(); return; }
      try {
        const found = await fetchJSON(`/api/v1/search?${new URLSearchParams({ q, limit: "8" })}`);
        list.replaceChildren(...found.hits.map((hit) => el("option", { value: hit.id }, hit.title)));
        if (found.hits.length) list.selectedIndex = 0;
      } catch {
        list.replaceChildren();
      }
    }, 150);
    input.addEventListener("input", find);
    const form = el("form", { class: "takeover", "aria-label": `„${query}“ zu einer Leistung hinzufügen` },
      el("div", { class: "field" }, el("label", { for: id }, "Leistung suchen"), input),
      el("div", { class: "field" }, list, error),
      el("button", { type: "submit", class: "button-primary" }, "Hinzufügen"),
      el("button", { type: "button", class: "button-secondary", onclick: close }, "Abbrechen"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const serviceId = list.value;
      if (!serviceId) { error.textContent = "Bitte eine Leistung wählen."; error.hidden = false; input.focus(); return; }
      const path = `/api/v1/services/${encodeURIComponent(serviceId)}`;
      const current = await send(path);
      if (!current.ok) { explain(status, current); return; }
      const synonyms = [...new Set([...(current.body.synonyms || []), query])];
      const saved = await send(path, { method: "PATCH", json: { synonyms }, etag: current.headers.get("ETag") });
      if (!saved.ok) { explain(status, saved); return; }
      done(row, `Hinzugefügt: „${query}“ ist jetzt Suchbegriff von „${current.body.title}“.`);
    });
    formRow(row, form);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    close();
    const row = button.closest("tr");
    if (button.dataset.action === "synonym") synonymForm(row); else serviceForm(row);
  });
})();
