/* A ticket's page: save the note and state, close it, send it to the unit again — all through the JSON API
   with If-Match and the CSRF token; a conflict (412) never overwrites what someone else saved. */
"use strict";

(() => {
  const { send, showStatus, explain, germanMessage } = SC;
  const form = document.getElementById("ticket-form");
  if (!form) return;
  const status = document.getElementById("ticket-status");
  const note = document.getElementById("ticket-note");
  const state = document.getElementById("ticket-state-select");

  async function save(changes, done) {
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    const answer = await send(form.dataset.ticketUrl, { method: "PATCH", json: changes, etag: form.dataset.etag });
    for (const button of form.querySelectorAll("button")) button.disabled = false;
    if (answer.ok) {
      form.dataset.etag = answer.headers.get("ETag");
      showStatus(status, "success", done);
      if (answer.body.state === "closed") { location.reload(); return; }
    } else if (answer.status === 422 && answer.body && answer.body.errors) {
      const first = answer.body.errors[0];
      showStatus(status, "error", `Nicht gespeichert: ${germanMessage(first.msg)}`);
    } else if (answer.status === 409) {
      showStatus(status, "error", "Dieses Anliegen ist abgeschlossen und wird nicht mehr geändert.");
    } else {
      explain(status, answer);
      return;
    }
    status.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save({ note: note.value.trim() || null, state: state.value }, "Gespeichert.");
  });
  form.querySelector("[data-close]").addEventListener("click", () => {
    save({ note: note.value.trim() || null, state: "closed" }, "Abgeschlossen.");
  });
  const forward = form.querySelector("[data-forward]");
  if (forward) {
    forward.addEventListener("click", async () => {
      forward.disabled = true;
      const answer = await send(`${form.dataset.ticketUrl}/forward`, { method: "POST" });
      forward.disabled = false;
      if (answer.ok) showStatus(status, "success", "Die E-Mail an die Stelle wird gesendet – mit einem neuen Antwort-Link.");
      else if (answer.status === 409) showStatus(status, "error", "Die Stelle hat keine E-Mail-Adresse, oder das Anliegen ist abgeschlossen.");
      else { explain(status, answer); return; }
      status.focus();
    });
  }
})();
