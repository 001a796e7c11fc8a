/* Closures and notices: the forms of /verwaltung/schliessungen and the "heute geschlossen" switch of /routing.
   Every change goes to the JSON API (with the CSRF token); its German messages appear next to their fields.
   Times from datetime-local inputs are sent without offset, which the API reads as Berlin time. */
"use strict";

(() => {
  const { send, showStatus, explain } = SC;
  const BERLIN_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit" });

  const BERLIN_CLOCK = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  /** The end of today in Berlin as the API's local time: tomorrow 00:00. */
  function endOfToday() {
    const [year, month, day] = BERLIN_DAY.format(new Date()).split("-").map(Number);
    return `${new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10)}T00:00`;
  }

  /** This minute in Berlin (seconds dropped), so a call simulated "now" on the routing page is inside. */
  function thisMinute() {
    const now = new Date();
    return `${BERLIN_DAY.format(now)}T${BERLIN_CLOCK.format(now)}`;
  }

  function clearErrors(form) {
    for (const node of form.querySelectorAll(".field-error")) { node.textContent = ""; node.hidden = true; }
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  }

  /** The API's errors next to their fields (`errors[].loc` = ["body", field, …]); returns what to focus. */
  function showErrors(form, errors) {
    let first = null;
    for (const error of errors) {
      const container = form.querySelector(`[data-field="${CSS.escape(String(error.loc[1] ?? ""))}"]`);
      if (!container || container.hidden) continue;
      const slot = container.querySelector(".field-error");
      slot.textContent = error.msg;
      slot.hidden = false;
      const input = container.querySelector("input:not([type=radio]), textarea, select") || container.querySelector("input");
      if (input) input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
    return first;
  }

  /** The chosen kind of scope ("county", "unit", "line", "service", "all") and the scope object for the API. */
  function scopeOf(form) {
    const chosen = form.querySelector('input[type=radio][name$="-kind"]:checked');
    if (!chosen) return null;
    const kind = chosen.value;
    if (kind === "all") return { all: true };
    if (kind === "line") return { line: chosen.dataset.line };
    const input = form.querySelector(`[data-scope-value="${kind}"]`);
    return { [kind]: input ? input.value.trim() : "" };
  }

  /** Show only the field that names the chosen scope (the county, the unit or the service). */
  function syncScope(form) {
    const chosen = form.querySelector('input[type=radio][name$="-kind"]:checked');
    for (const input of form.querySelectorAll("[data-scope-value]")) {
      input.closest(".field").hidden = !chosen || input.dataset.scopeValue !== chosen.value;
    }
  }

  const text = (form, name) => {
    const input = form.querySelector(`[name="${name}"]`);
    const value = input ? input.value.trim() : "";
    return value === "" ? null : value;
  };

  function bodyOf(form) {
    if (form.hasAttribute("data-today-form")) {
      return { scope: { line: form.querySelector('[name="line"]').value }, from: thisMinute(), until: endOfToday(),
               reason: text(form, "reason") || "", announcement: text(form, "announcement") };
    }
    if (form.hasAttribute("data-closure-form")) {
      const body = { scope: scopeOf(form), until: text(form, "until"), reason: text(form, "reason") || "",
                     announcement: text(form, "announcement") };
      const from = text(form, "from");
      if (from) body.from = from;
      return body;
    }
    const body = { text: text(form, "text") || "", severity: form.querySelector('[name="severity"]:checked').value,
                   scope: scopeOf(form), valid_until: text(form, "valid_until") };
    const from = text(form, "valid_from");
    if (from) body.valid_from = from;
    return body;
  }

  function done(what) {
    const url = new URL(location.href);
    url.searchParams.set("gespeichert", what);
    location.assign(url.pathname + url.search);
  }

  function setUp(form) {
    const status = form.querySelector(".form-status");
    form.querySelectorAll('input[type=radio][name$="-kind"]').forEach((radio) => radio.addEventListener("change", () => syncScope(form)));
    syncScope(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      showStatus(status, null);
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      const answer = await send(form.dataset.createUrl, { method: "POST", json: bodyOf(form) });
      button.disabled = false;
      if (answer.ok) { done(form.dataset.saved); return; }
      if (answer.status === 422 && answer.body && answer.body.errors) {
        const first = showErrors(form, answer.body.errors);
        showStatus(status, "error", first ? "Bitte prüfen Sie die markierten Angaben." : answer.body.detail);
        (first || status).focus();
      } else if (answer.status === 403 && answer.body && form.hasAttribute("data-today-form")) {
        showStatus(status, "error", answer.body.detail);
        status.focus();
      } else {
        explain(status, answer);
      }
    });
  }

  document.querySelectorAll("form[data-closure-form], form[data-notice-form], form[data-today-form]").forEach(setUp);

  for (const button of document.querySelectorAll("button[data-delete-url]")) {
    button.addEventListener("click", async () => {
      if (!window.confirm(button.dataset.confirm)) return;
      button.disabled = true;
      const answer = await send(button.dataset.deleteUrl, { method: "DELETE" });
      button.disabled = false;
      if (answer.ok) { done("geloescht"); return; }
      const status = document.getElementById("delete-status");
      explain(status, answer);
      status.focus();
    });
  }
})();
