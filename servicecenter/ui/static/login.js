/* Login: name and password go to POST /api/v1/session, which sets the session cookie; then on to `next`.
   Wrong credentials and throttling (429) are said in German next to the form. */
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const status = document.getElementById("login-status");
  const name = document.getElementById("login-name");
  const password = document.getElementById("login-password");

  /* The server only ever renders a local path here; checked again, so nothing but this site is reached. */
  function sameOrigin(path) {
    const target = new URL(path, location.origin);
    return target.origin === location.origin ? target.href : "/verwaltung";
  }

  function fieldError(input, text) {
    const slot = document.getElementById(`${input.id}-error`);
    slot.textContent = text;
    slot.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    SC.showStatus(status, null);
    fieldError(name, name.value.trim() ? "" : "Bitte geben Sie Ihren Benutzernamen ein.");
    fieldError(password, password.value ? "" : "Bitte geben Sie Ihr Passwort ein.");
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); return; }

    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const answer = await SC.send("/api/v1/session", { method: "POST", json: { name: name.value.trim(), password: password.value } });
    button.disabled = false;
    if (answer.ok) { location.assign(sameOrigin(form.dataset.next)); return; }
    if (answer.status === 401) {
      password.value = "";
      fieldError(password, "Benutzername oder Passwort stimmt nicht.");
      password.focus();
    } else if (answer.status === 403) {
      password.value = "";
      SC.showStatus(status, "error", "Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration.");
      status.focus();
    } else if (answer.status === 429) {
      const minutes = Math.max(1, Math.ceil(Number(answer.headers.get("Retry-After") || 900) / 60));
      SC.showStatus(status, "error", `Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie ${minutes} Minuten und versuchen Sie es dann erneut.`);
      status.focus();
    } else if (answer.status === 422) {
      SC.showStatus(status, "error", "Benutzername oder Passwort ist zu lang.");
      status.focus();
    } else {
      SC.explain(status, answer);
    }
  });
})();
