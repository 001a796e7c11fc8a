/* "Anruf simulieren": ask the routing API about a call, under an assumed pool load if chosen, and show the
   decision with its trace (German sentences from routing itself). */
"use strict";

(() => {
  const { el, fetchJSON, readJSON, germanMessage } = window.SC;
  const form = document.getElementById("simulate-form");
  const formError = document.getElementById("simulate-error");
  const section = document.getElementById("decision");
  const body = document.getElementById("decision-body");
  const targets = readJSON("targets-data");
  const countyNames = readJSON("counties-data");
  const ruleLabels = readJSON("rules-data");
  const FIELDS = ["called", "caller", "at", "topic"];
  const LOADS = {
    free: { agents_available: 3, calls_waiting: 0, longest_wait_s: 0 },
    saturated: { agents_available: 0, calls_waiting: 10, longest_wait_s: 3600 },
  };
  const LINES = { "115": "Behördennummer 115", switchboard: "Telefonzentrale" };

  function clearErrors() {
    formError.hidden = true;
    for (const name of FIELDS) {
      const input = form.elements[name];
      input.removeAttribute("aria-invalid");
      const message = document.getElementById(`sim-${name}-error`);
      message.hidden = true;
      message.textContent = "";
    }
  }

  function showProblem(error) {
    const problem = error.problem || {};
    const fieldErrors = (problem.errors || []).filter((e) => FIELDS.includes(e.loc[1]));
    for (const fieldError of fieldErrors) {
      const name = fieldError.loc[1];
      form.elements[name].setAttribute("aria-invalid", "true");
      const message = document.getElementById(`sim-${name}-error`);
      message.textContent = germanMessage(fieldError.msg, form.elements[name]);
      message.hidden = false;
    }
    if (fieldErrors.length) { form.elements[fieldErrors[0].loc[1]].focus(); return; }
    const detail = problem.status === 422 && /line|phone number/.test(problem.detail || "")
      ? "Diese Nummer ist keine Leitung des Servicecenters (115 oder eine Kreis-Telefonzentrale)."
      : `Keine Entscheidung möglich (Fehler ${problem.status || "ohne Verbindung"}). Bitte Angaben prüfen.`;
    formError.textContent = detail;
    formError.hidden = false;
    if (problem.status === 422) {
      form.elements.called.setAttribute("aria-invalid", "true");
      form.elements.called.focus();
    }
  }

  function targetText(target) {
    const known = targets[target.id];
    return known ? `${known.name} (${known.kind})` : target.id;
  }

  /** One sentence of the trace; the rule that decided is marked. */
  function traceItem(line) {
    const hit = line.includes(": trifft zu –");
    return el("li", { class: hit ? "trace-step trace-match" : "trace-step" }, line);
  }

  function render(decision) {
    const fact = (term, ...value) => el("div", {}, el("dt", {}, term), el("dd", {}, ...value));
    body.replaceChildren(
      el("dl", { class: "decision-facts" },
        fact("Ziel", el("strong", {}, targetText(decision.target)), el("br"), "SIP-Adresse ", el("code", {}, decision.target.uri)),
        fact("Regel", el("a", { href: `#rule-${decision.rule}` }, ruleLabels[decision.rule] || decision.rule)),
        fact("Leitung", LINES[decision.line] || decision.line),
        fact("Kreis", decision.county ? countyNames[decision.county] || decision.county : "unbekannt"),
        fact("Servicezeit", decision.open ? "geöffnet" : "außerhalb der Servicezeit",
          decision.closure ? ` – geschlossen: ${decision.closure.reason}` : "",
          decision.closure && decision.closure.announcement ? el("br") : null,
          decision.closure && decision.closure.announcement ? `Ansage: „${decision.closure.announcement}“` : null),
        fact("Begrüßung", decision.greeting ? `„${decision.greeting}“` : "keine"),
        fact("Falls nicht erreichbar", decision.fallbacks.length
          ? el("ol", { class: "fallbacks" }, decision.fallbacks.map((t) => el("li", {}, targetText(t))))
          : "keine weiteren Ziele")),
      el("h3", {}, "Prüfprotokoll"),
      el("ol", { class: "trace" }, decision.trace.map(traceItem)),
      el("p", { class: "muted" }, "Entscheidungs-ID ", el("code", {}, decision.decision_id), " · ",
        el("a", { href: `/?call=${encodeURIComponent(decision.decision_id)}` }, "in der Auskunft öffnen")));
    section.hidden = false;
    section.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const fields = {};
    for (const name of FIELDS) {
      const value = form.elements[name].value.trim();
      if (value) fields[name] = value;
    }
    const pools = {};
    for (const select of form.querySelectorAll("select[data-pool]")) {
      if (select.value) pools[select.dataset.pool] = LOADS[select.value];
    }
    try {
      render(await fetchJSON("/api/v1/route/simulation", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ ...fields, pools }),
      }));
    } catch (error) {
      section.hidden = true;
      showProblem(error);
    }
  });
})();
