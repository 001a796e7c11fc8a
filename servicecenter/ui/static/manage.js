/* The admin pages for running the center: users and tokens, routing rule versions, catalogue import, pools.
   Every change goes to the JSON API (SC.send adds the session's CSRF token); the API decides. A form
   form[data-api-url] sends its named fields as JSON and, when done, goes to data-done (the page then says
   what happened); a validation message appears next to its field. Plain JavaScript, no build step. */
"use strict";

(() => {
  const { el, send, showStatus, explain, germanMessage, copyButton } = SC;

  /** A field's value by its data-kind: text (trimmed, left out when empty), nullable (empty → null),
      raw (as typed: passwords, rule files), int, float, bool (a checkbox, or a hidden "true"/"false"). */
  function valueOf(input) {
    const kind = input.dataset.kind || "text";
    const text = input.value.trim();
    if (kind === "bool") return input.type === "checkbox" ? input.checked : input.value === "true";
    if (kind === "raw") return input.value;
    if (kind === "int") return text === "" ? undefined : Number(text);
    if (kind === "float") return text === "" ? undefined : Number(text.replace(",", "."));
    if (kind === "nullable") return text === "" ? null : text;
    return text === "" ? undefined : text;
  }

  function collect(form) {
    const body = {};
    for (const input of form.querySelectorAll("[name]")) {
      if (input.disabled || input.type === "file") continue;
      const value = valueOf(input);
      if (value !== undefined) body[input.name] = value;
    }
    return body;
  }

  const MESSAGES = [
    [/county is required for county_editor/, "Die Kreisredaktion braucht einen Kreis; andere Rollen haben keinen."],
    [/is no member of the center/, "Dieser Kreis gehört nicht zum Servicecenter."],
    [/greater than or equal to 0/, "Bitte keine negative Zahl."],
    [/less than or equal to/, "Diese Zahl ist zu groß."],
    [/valid integer|valid number/, "Bitte eine ganze Zahl eingeben."],
  ];

  /** An API validation message in German. */
  function message(msg, input) {
    const text = String(msg || "");
    for (const [pattern, german] of MESSAGES) {
      const match = text.match(pattern);
      if (match) return typeof german === "function" ? german(match) : german;
    }
    return germanMessage(text, input);
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll(".field-error")) { node.replaceChildren(); node.hidden = true; }
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  }

  /** The 422's messages next to their fields (a rule file's by line); the first invalid field gets focus. */
  function showFieldErrors(form, errors) {
    let first = null;
    const byField = new Map();
    for (const error of errors || []) {
      const name = error.loc && error.loc[0] === "body" ? error.loc[1] : null;
      if (!byField.has(name)) byField.set(name, []);
      byField.get(name).push(error);
    }
    for (const [name, list] of byField) {
      const container = name ? form.querySelector(`[data-field="${CSS.escape(String(name))}"]`) : null;
      if (!container) continue;
      const input = container.querySelector("[name]");
      const slot = container.querySelector(".field-error");
      const lines = list.map((e) => (e.line ? `Zeile ${e.line}: ${e.msg}` : message(e.msg, input)));
      slot.replaceChildren(...(lines.length > 1 ? [el("ul", {}, lines.map((line) => el("li", {}, line)))] : lines));
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
    return first;
  }

  function statusArea(form) {
    return form.querySelector(".form-status");
  }

  /** What a refused change says, in German; then the page's own status handling (401, 403, 404, …). */
  function refused(area, form, answer) {
    if (answer.status === 409) {
      showStatus(area, "error", (form && form.dataset.conflict) || "Das geht so nicht: der Eintrag hat sich geändert oder ist vergeben.");
      area.focus();
    } else if (answer.status === 422) {
      const invalid = form ? showFieldErrors(form, answer.body && answer.body.errors) : null;
      showStatus(area, "error", "Bitte prüfen Sie die markierten Angaben; es wurde nichts gespeichert.");
      (invalid || area).focus();
    } else {
      explain(area, answer);
    }
  }

  function done(url) {
    location.assign(url);
  }

  // Forms that change one thing through the API.
  for (const form of document.querySelectorAll("form[data-api-url]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const area = statusArea(form);
      const body = collect(form);
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const answer = await send(form.dataset.apiUrl, { method: form.dataset.apiMethod, json: body });
      button.disabled = false;
      if (answer.ok) { done(form.dataset.done.replace("{name}", encodeURIComponent(body.name || ""))); return; }
      refused(area, form, answer);
    });
  }

  // Buttons that do one thing: revoke a token, activate a rules version.
  for (const button of document.querySelectorAll("[data-revoke], [data-activate]")) {
    button.addEventListener("click", async () => {
      const revoke = button.dataset.revoke;
      const area = document.getElementById(revoke ? "tokens-status" : "versions-status");
      button.disabled = true;
      const answer = await send(revoke || button.dataset.activate, { method: revoke ? "DELETE" : "POST" });
      button.disabled = false;
      if (answer.ok) { done(button.dataset.done); return; }
      if (answer.status === 422) {
        showStatus(area, "error", "Diese Version passt nicht mehr zum Katalog und wurde nicht in Kraft gesetzt: ",
          ((answer.body && answer.body.errors) || []).map((e) => `${e.line ? `Zeile ${e.line}: ` : ""}${e.msg}`).join("; "));
        area.focus();
      } else {
        refused(area, null, answer);
      }
    });
  }

  // A new API token: shown this once, with a button to copy it.
  const newToken = document.getElementById("new-token");
  if (newToken) {
    newToken.addEventListener("click", async () => {
      const area = document.getElementById("tokens-status");
      newToken.disabled = true;
      const answer = await send(newToken.dataset.apiUrl, { method: "POST" });
      newToken.disabled = false;
      if (!answer.ok) { refused(area, null, answer); return; }
      const { id, token } = answer.body;
      showStatus(area, "success", "Neues Token – nur jetzt sichtbar, bitte gleich sicher hinterlegen: ",
        el("code", { class: "secret" }, token), " ", copyButton(token, "Token"));
      const table = document.querySelector("#token-table tbody");
      const empty = table.querySelector(".empty-row");
      if (empty) empty.remove();
      table.append(el("tr", {}, el("th", { scope: "row" }, el("code", {}, id)), el("td", {}, "gerade eben"), el("td", {})));
      area.focus();
    });
  }

  // Catalogue import: a dry run first, then the import of the very same file.
  const importForm = document.getElementById("import-form");
  if (importForm) {
    const file = document.getElementById("import-file");
    const run = document.getElementById("import-run");
    const area = document.getElementById("import-status");
    const report = document.getElementById("import-report");
    const reportBody = document.getElementById("import-report-body");
    let checked = null; // the document the last successful dry run read

    const SECTIONS = { counties: "Kreise", places: "Orte", units: "Stellen", services: "Leistungen" };

    function summary(result) {
      const rows = Object.entries(result.summary).map(([section, counts]) => el("tr", {},
        el("th", { scope: "row" }, SECTIONS[section] || section),
        el("td", {}, String(counts.created)), el("td", {}, String(counts.updated)), el("td", {}, String(counts.unchanged))));
      const lists = Object.entries(SECTIONS).flatMap(([section, name]) => {
        const ids = [...(result.created[section] || []).map((id) => `neu: ${id}`), ...(result.updated[section] || []).map((id) => `geändert: ${id}`)];
        return ids.length ? [el("details", {}, el("summary", {}, `${name}: ${ids.length} Einträge`), el("ul", {}, ids.map((id) => el("li", {}, id))))] : [];
      });
      return [
        el("p", {}, result.dry_run
          ? (result.changed ? "Probelauf: so würde sich der Katalog ändern. Gespeichert wurde nichts." : "Probelauf: die Datei ändert nichts.")
          : (result.changed ? "Importiert: der Katalog ist geändert." : "Nichts zu importieren: die Datei ändert nichts.")),
        el("div", { class: "table-scroll" }, el("table", { class: "entries" },
          el("caption", { class: "visually-hidden" }, "Einträge je Bereich"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Bereich"), el("th", { scope: "col" }, "neu"),
            el("th", { scope: "col" }, "geändert"), el("th", { scope: "col" }, "unverändert"))),
          el("tbody", {}, rows))),
        ...lists,
      ];
    }

    async function importDocument(dryRun) {
      clearErrors(importForm);
      showStatus(area, null);
      let documentBody = checked;
      if (dryRun) {
        checked = null;
        run.disabled = true;
        if (!file.files.length) {
          const slot = document.getElementById("import-file-error");
          slot.textContent = "Bitte eine Datei wählen.";
          slot.hidden = false;
          file.setAttribute("aria-invalid", "true");
          file.focus();
          return;
        }
        try {
          documentBody = JSON.parse(await file.files[0].text());
        } catch {
          showStatus(area, "error", "Diese Datei ist kein JSON-Katalogdokument.");
          area.focus();
          return;
        }
      }
      const answer = await send(`/api/v1/import${dryRun ? "?dry_run=true" : ""}`, { method: "POST", json: documentBody });
      if (!answer.ok) {
        report.hidden = true;
        if (answer.status === 422) {
          const problems = (answer.body && answer.body.errors) || [];
          showStatus(area, "error", `Die Datei wurde nicht übernommen (${problems.length || "ein"} Problem${problems.length === 1 ? "" : "e"}): `,
            el("ul", {}, problems.slice(0, 50).map((p) => el("li", {}, `${(p.loc || []).join(" › ")}: ${p.msg}`))));
          area.focus();
        } else {
          explain(area, answer);
        }
        return;
      }
      reportBody.replaceChildren(...summary(answer.body));
      report.hidden = false;
      if (dryRun) { checked = documentBody; run.disabled = !answer.body.changed; } else { checked = null; run.disabled = true; }
      report.focus();
    }

    importForm.addEventListener("submit", (event) => { event.preventDefault(); importDocument(true); });
    run.addEventListener("click", () => importDocument(false));
    file.addEventListener("change", () => { checked = null; run.disabled = true; });
  }
})();
