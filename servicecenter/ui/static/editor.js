/* Edit forms: each form[data-entry-url] changes one entry through the JSON API (PATCH with If-Match and
   the CSRF token); form[data-create-url] creates one (POST), then goes to data-after-create ({id} is the
   new entry's id). Only changed fields are sent. Validation messages of the API appear next to their
   field; a conflict (412) never overwrites anything. A [data-delete] button deletes the entry (asking
   data-confirm first), then goes to the form's data-after-delete. */
"use strict";

(() => {
  const { send, showStatus, explain, germanMessage } = SC;

  function readInput(input) {
    const kind = input.dataset.kind || "text";
    const value = input.value.trim();
    if (kind === "lines") return input.value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (kind === "required") return value;
    return value === "" ? null : value;
  }

  /** The opening hours form as the API's WeeklyHours ({mon: ["08:00-12:00"], …, note}), or null when empty. */
  function readHours(fieldset, errors) {
    const hours = {};
    for (const row of fieldset.querySelectorAll("tr[data-day]")) {
      const ranges = [];
      for (const slot of row.querySelectorAll("td.slot")) {
        const from = slot.querySelector('[data-slot="from"]').value;
        const to = slot.querySelector('[data-slot="to"]').value;
        if (!from && !to) continue;
        if (!from || !to) { errors.push({ field: "hours", day: row.dataset.day, text: "Bitte Beginn und Ende angeben." }); continue; }
        ranges.push(`${from}-${to}`);
      }
      if (ranges.length) hours[row.dataset.day] = ranges;
    }
    const note = fieldset.querySelector("[data-hours-note]").value.trim();
    if (note) hours.note = note;
    return Object.keys(hours).length ? hours : null;
  }

  function collect(form) {
    const values = {};
    const errors = [];
    for (const input of form.querySelectorAll("[name][data-kind]")) values[input.name] = readInput(input);
    const hours = form.querySelector("[data-hours]");
    if (hours) values.hours = readHours(hours, errors);
    return { values, errors };
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll(".field-error")) { node.textContent = ""; node.hidden = true; }
    for (const row of form.querySelectorAll(".day-error-row")) row.hidden = true;
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  }

  /** Put one message next to its field (a weekday row for hours); returns the element to focus. */
  function showError(form, { field, day, text, msg }) {
    const container = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (!container) return null;
    if (field === "hours") {
      const row = typeof day === "string" ? container.querySelector(`tr[data-day="${CSS.escape(day)}"]`) : null;
      const target = row ? row.nextElementSibling.querySelector(".field-error") : container.querySelector(".field-error");
      if (row) row.nextElementSibling.hidden = false;
      target.textContent = text || germanMessage(msg);
      target.hidden = false;
      const inputs = row ? row.querySelectorAll("input") : container.querySelectorAll("input");
      inputs.forEach((input) => input.setAttribute("aria-invalid", "true"));
      if (row) inputs.forEach((input) => input.setAttribute("aria-describedby", target.id));
      return inputs[0] || null;
    }
    const input = container.querySelector("input, textarea, select");
    const slot = container.querySelector(".field-error");
    slot.textContent = text || germanMessage(msg, input);
    slot.hidden = false;
    if (input) input.setAttribute("aria-invalid", "true");
    return input;
  }

  function showErrors(form, status, errors) {
    const shown = errors.map((error) => showError(form, error)).filter(Boolean);
    showStatus(status, "error", shown.length ? "Bitte prüfen Sie die markierten Angaben." : "Die Angaben sind unvollständig.");
    (shown[0] || status).focus();
  }

  function setUp(form) {
    const status = form.querySelector(".form-status");
    let saved = JSON.stringify(collect(form).values);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      showStatus(status, null);
      const { values, errors } = collect(form);
      if (errors.length) { showErrors(form, status, errors); return; }
      const before = JSON.parse(saved);
      const creating = Boolean(form.dataset.createUrl);
      const changes = creating ? values
        : Object.fromEntries(Object.entries(values).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])));
      if (!Object.keys(changes).length) { showStatus(status, "info", "Nichts geändert."); status.focus(); return; }

      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const answer = creating
        ? await send(form.dataset.createUrl, { method: "POST", json: changes })
        : await send(form.dataset.entryUrl, { method: "PATCH", json: changes, etag: form.dataset.etag });
      button.disabled = false;
      if (answer.ok && creating) {
        const next = form.dataset.afterCreate;
        location.assign(next ? next.replace("{id}", encodeURIComponent(answer.body.id)) : `${location.pathname}?gespeichert=neu`);
        return;
      }
      if (answer.ok) {
        form.dataset.etag = answer.headers.get("ETag");
        saved = JSON.stringify(values);
        for (const node of document.querySelectorAll("[data-version-of]")) node.textContent = answer.body.version;
        showStatus(status, "success", `Gespeichert – jetzt Version ${answer.body.version}. Die Auskunft zeigt die Änderung sofort.`);
        status.focus();
      } else if (answer.status === 422 && answer.body && answer.body.errors) {
        showErrors(form, status, answer.body.errors.map((e) => ({ field: String(e.loc[1] ?? ""), day: e.loc[2], msg: e.msg })));
      } else if (answer.status === 409) {
        showStatus(status, "error", form.dataset.afterCreate && answer.body ? answer.body.detail
          : "Für dieses Gebiet ist schon eine Stelle zuständig – ändern Sie diese Zuständigkeit oben.");
        status.focus();
      } else {
        explain(status, answer);
      }
    });

    const remove = form.querySelector("[data-delete]");
    if (remove) {
      remove.addEventListener("click", async () => {
        if (!window.confirm(remove.dataset.confirm || "Diese Zuständigkeit wirklich entfernen?")) return;
        const answer = await send(form.dataset.entryUrl, { method: "DELETE", etag: form.dataset.etag });
        if (answer.ok) location.assign(form.dataset.afterDelete || `${location.pathname}?gespeichert=entfernt`);
        else if (answer.status === 409 && answer.body) { showStatus(status, "error", answer.body.detail); status.focus(); }
        else explain(status, answer);
      });
    }
  }

  document.querySelectorAll("form[data-entry-url], form[data-create-url]").forEach(setUp);
})();
