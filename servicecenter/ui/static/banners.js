/* Banners for what every agent must know now: closures of a line or a county in force, and Info-Meldungen
   for everyone or for a county. Read from the API when the page opens and every minute; an entry disappears
   by itself when it ends, without a reload. Meldungen for one unit or service show on its hits instead. */
"use strict";

(() => {
  const { el, fetchJSON, readJSON } = window.SC;
  const area = document.getElementById("banners");
  if (!area) return;
  const countyNames = readJSON("counties-data");
  const REFRESH_MS = 60000;
  const LINES = { 115: "Leitung 115", switchboard: "Telefonzentralen" };
  let items = [];
  let shownKey = "";

  function where(scope) {
    if (scope.line) return LINES[scope.line] || scope.line;
    if (scope.county) return countyNames[scope.county] || scope.county;
    return null;
  }

  function render() {
    const now = Date.now();
    const shown = items.filter((item) => Date.parse(item.from) <= now && now < Date.parse(item.until));
    const key = JSON.stringify(shown);
    if (key === shownKey) return; // unchanged: screen readers hear nothing again
    shownKey = key;
    area.replaceChildren(...shown.map((item) =>
      el("p", { class: `message message-${item.level} banner` }, el("strong", {}, `${item.label}: `), item.text)));
    area.hidden = !shown.length;
  }

  async function load() {
    try {
      const [closures, notices] = await Promise.all([
        fetchJSON("/api/v1/closures?in_force=true"),
        fetchJSON("/api/v1/notices?in_force=true"),
      ]);
      items = [
        ...closures.filter((c) => !c.scope.unit).map((c) =>
          ({ level: "error", label: where(c.scope), text: c.text, from: c.from, until: c.until })),
        ...notices.filter((n) => n.scope.all || n.scope.county).map((n) => ({
          level: n.severity === "warning" ? "warning" : "info",
          label: [where(n.scope), n.severity === "warning" ? "Achtung" : "Hinweis"].filter(Boolean).join(" – "),
          text: n.text, from: n.valid_from, until: n.valid_until,
        })),
      ];
    } catch {
      // keep what is shown; the next round asks again
    }
    render();
  }

  load();
  setInterval(load, REFRESH_MS);
})();
