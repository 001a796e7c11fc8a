/* The synonym list as text: each line "what callers say: term, term" becomes one entry of
   PUT /api/v1/synonyms, sent with If-Match; a line without a colon or terms is named before anything is sent. */
"use strict";

(() => {
  const { send, showStatus, explain } = SC;
  const form = document.getElementById("synonyms-form");
  const text = document.getElementById("synonyms-text");
  const error = document.getElementById("synonyms-error");
  const status = document.getElementById("synonyms-status");
  const version = document.getElementById("synonyms-version");

  function parse(value) {
    const entries = {};
    const problems = [];
    value.split("\n").forEach((raw, index) => {
      const line = raw.trim();
      if (!line || line.startsWith("#")) return;
      const colon = line.indexOf(":");
      const said = colon < 0 ? "" : line.slice(0, colon).trim();
      const terms = colon < 0 ? [] : line.slice(colon + 1).split(",").map((t) => t.trim()).filter(Boolean);
      if (!said || !terms.length) { problems.push(index + 1); return; }
      entries[said] = [...new Set([...(entries[said] || []), ...terms])];
    });
    return { entries, problems };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const { entries, problems } = parse(text.value);
    if (problems.length) {
      error.textContent = `Zeile ${problems.join(", ")}: bitte „Wort: Begriff, Begriff“ schreiben.`;
      error.hidden = false;
      text.focus();
      return;
    }
    const saved = await send("/api/v1/synonyms", { method: "PUT", json: { entries }, etag: form.dataset.etag });
    if (!saved.ok) {
      if (saved.status === 422) {
        error.textContent = "Ein Eintrag ist ungültig (zu lang, zu viele Begriffe oder ohne Wort).";
        error.hidden = false;
        text.focus();
      } else {
        explain(status, saved);
      }
      return;
    }
    form.dataset.etag = saved.headers.get("ETag");
    version.textContent = String(saved.body.version);
    showStatus(status, "success", `Gespeichert als Fassung ${saved.body.version}. Die Suche verwendet sie ab sofort.`);
    status.focus();
  });
})();
