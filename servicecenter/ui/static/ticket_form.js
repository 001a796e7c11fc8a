/* "Anliegen aufnehmen" and "Nachricht hinterlassen": a form that records a ticket through the JSON API.
   One Idempotency-Key per opened form, so a double click or a retry never makes two tickets. */
"use strict";

window.SC.ticketForm = (() => {
  const { el, send, showStatus } = window.SC;
  const KINDS = { callback: "Rückruf an die anrufende Person", forward: "An die zuständige Stelle weiterleiten", message: "Nachricht für die Stelle" };
  let counter = 0;

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  function field(id, label, input, hint) {
    return el("div", { class: "field", "data-field": input.name },
      el("label", { for: id }, label), input,
      hint ? el("p", { class: "hint" }, hint) : null,
      el("p", { class: "field-error", id: `${id}-error`, hidden: true }));
  }

  function fieldMessage(msg) {
    const text = String(msg || "");
    if (/consent/.test(text)) return "Kontaktdaten nur mit Einwilligung speichern.";
    if (/not a phone number/.test(text)) return "Das ist keine Telefonnummer.";
    if (/not an e-mail address/.test(text)) return "Das ist keine E-Mail-Adresse.";
    if (/channel phone/.test(text)) return "Für einen Rückruf bitte eine Telefonnummer angeben.";
    if (/channel email/.test(text)) return "Für eine Antwort per E-Mail bitte die Adresse angeben.";
    if (/needs the unit/.test(text)) return "Bitte die zuständige Stelle wählen.";
    if (/at least 1 character/.test(text)) return "Bitte das Anliegen beschreiben.";
    return window.SC.germanMessage(text);
  }

  /** Render the form into `container`. `prefill`: {kinds, county, service_id, service_title, unit_id,
      unit_name, decision_id, summary (the text to start from)}; `onClose` runs when the agent cancels or is done. */
  function open(container, prefill, onClose) {
    const n = ++counter;
    const key = newKey();
    const id = (name) => `tf${n}-${name}`;
    const kinds = prefill.kinds.filter((k) => k !== "forward" || prefill.unit_id);
    const kind = el("select", { id: id("kind"), name: "kind" }, kinds.map((k) => el("option", { value: k }, KINDS[k])));
    const summary = el("textarea", { id: id("summary"), name: "summary", rows: "3", maxlength: "4000", required: true });
    const name = el("input", { id: id("name"), name: "contact.name", type: "text", autocomplete: "off", maxlength: "200" });
    const phone = el("input", { id: id("phone"), name: "contact.phone", type: "tel", autocomplete: "off", maxlength: "64" });
    const email = el("input", { id: id("email"), name: "contact.email", type: "email", autocomplete: "off", maxlength: "254" });
    const channel = el("select", { id: id("channel"), name: "contact.channel" },
      el("option", { value: "phone" }, "Telefon"), el("option", { value: "email" }, "E-Mail"));
    const consent = el("input", { id: id("consent"), name: "consent", type: "checkbox" });
    const status = el("div", { class: "form-status", tabindex: "-1" });
    const submit = el("button", { type: "submit", class: "button-primary" }, "Anliegen speichern");
    const cancel = el("button", { type: "button", class: "button-secondary", onclick: () => { form.remove(); onClose && onClose(); } }, "Abbrechen");
    const context = [prefill.service_title && `Leistung: ${prefill.service_title}`, prefill.unit_name && `Stelle: ${prefill.unit_name}`]
      .filter(Boolean).join(" · ");
    const form = el("form", { class: "ticket-form panel", novalidate: true, "aria-labelledby": id("heading") },
      el("h3", { id: id("heading") }, prefill.kinds.length === 1 && prefill.kinds[0] === "message" ? "Nachricht hinterlassen" : "Anliegen aufnehmen"),
      context ? el("p", { class: "muted" }, context) : null,
      status,
      kinds.length > 1 ? field(id("kind"), "Was ist zu tun?", kind) : null,
      field(id("summary"), "Anliegen", summary, "Was möchte die Person wissen? Keine Angaben zu persönlichen Verhältnissen."),
      el("fieldset", { class: "contact" }, el("legend", {}, "Kontakt für die Antwort"),
        el("div", { class: "field-grid" },
          field(id("name"), "Name", name), field(id("phone"), "Telefon", phone),
          field(id("email"), "E-Mail", email), field(id("channel"), "Antwort per", channel)),
        el("div", { class: "field field-check", "data-field": "consent" }, consent,
          el("label", { for: id("consent") }, "Die Person ist einverstanden, dass ihre Kontaktdaten für die Antwort gespeichert werden. Sie werden 30 Tage nach Abschluss gelöscht."),
          el("p", { class: "field-error", id: `${id("consent")}-error`, hidden: true }))),
      el("div", { class: "form-actions" }, submit, cancel));

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const node of form.querySelectorAll(".field-error")) { node.hidden = true; node.textContent = ""; }
      const contact = { name: name.value.trim() || null, phone: phone.value.trim() || null, email: email.value.trim() || null };
      const hasContact = Object.values(contact).some(Boolean);
      const body = {
        kind: kinds.length > 1 ? kind.value : kinds[0],
        county: prefill.county || null,
        service_id: prefill.service_id || null,
        unit_id: prefill.unit_id || null,
        decision_id: prefill.decision_id || null,
        summary: summary.value.trim(),
        consent: consent.checked,
      };
      if (hasContact) body.contact = { ...contact, channel: channel.value };
      submit.disabled = true;
      const answer = await send("/api/v1/tickets", { method: "POST", json: body, idempotencyKey: key });
      submit.disabled = false;
      if (answer.ok) {
        const due = new Date(answer.body.due_at).toLocaleString("de-DE", { dateStyle: "medium", timeStyle: "short" });
        form.replaceChildren(el("div", { class: "message message-success", role: "status" },
          `Anliegen aufgenommen – Antwort fällig bis ${due} Uhr. `,
          el("a", { href: `/anliegen/vorgang/${answer.body.id}` }, "Anliegen öffnen")));
        if (answer.body.kind !== "callback" && !answer.body.deliveries.length) {
          form.append(el("p", { class: "message message-warning" },
            "Die Stelle hat keine E-Mail-Adresse: bitte geben Sie das Anliegen telefonisch weiter."));
        }
        return;
      }
      if (answer.status === 422 && answer.body && answer.body.errors) {
        let shown = 0;
        for (const error of answer.body.errors) {
          const path = error.loc.slice(1).join(".");
          const slot = form.querySelector(`[data-field="${CSS.escape(path)}"] .field-error`);
          if (slot) { slot.textContent = fieldMessage(error.msg); slot.hidden = false; shown += 1; }
        }
        showStatus(status, "error", shown ? "Bitte prüfen Sie die markierten Angaben." : "Die Angaben sind unvollständig.");
      } else if (answer.status === 401) {
        const login = `/anmelden?next=${encodeURIComponent(location.pathname + location.search)}`;
        showStatus(status, "error", "Zum Aufnehmen bitte anmelden. ", el("a", { href: login }, "Anmelden"));
      } else if (answer.status === 403) {
        showStatus(status, "error", "Ihre Rolle darf keine Anliegen aufnehmen.");
      } else {
        window.SC.explain(status, answer);
        return;
      }
      status.focus();
    });
    container.prepend(form);
    summary.value = prefill.summary || "";
    summary.focus();
    summary.setSelectionRange(summary.value.length, summary.value.length);
    return form;
  }

  return { open };
})();
