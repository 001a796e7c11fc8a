/* History page: "Wiederherstellen" asks for confirmation, then restores through the API with If-Match
   (the version this page showed as current) and the CSRF token; a conflict changes nothing. */
"use strict";

(() => {
  const list = document.getElementById("versions");
  const status = document.getElementById("history-status");
  if (!list) return;
  list.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-restore]");
    if (!button) return;
    const version = button.dataset.restore;
    if (!window.confirm(`Version ${version} wiederherstellen? Ihre Felder werden als neue Version gespeichert.`)) return;
    button.disabled = true;
    const answer = await SC.send(`${list.dataset.entryUrl}/history/${version}/restore`,
                                 { method: "POST", etag: list.dataset.etag });
    button.disabled = false;
    if (answer.ok) location.assign(`${location.pathname}?wiederhergestellt=${version}`);
    else SC.explain(status, answer);
  });
})();
