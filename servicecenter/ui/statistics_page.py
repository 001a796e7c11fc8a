"""GET /statistik: the service promise at a glance (supervisors, admins).

Service level against the 75 % line and first-contact resolution against the 65 % line over time; calls
by hour of day and weekday, per county and line; demand outside service hours; the services asked about
most. Every chart is SVG drawn here, with a table of the same numbers beside it and a CSV download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from aiohttp import web

from knowledge.calendar import BERLIN
from knowledge.catalogue import store
from knowledge.statistics import report
from knowledge.statistics.report import Bucket, Scope
from servicecenter.auth import Action
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import member_counties, require
from servicecenter.ui.charts import Series, bar_chart, hbar_chart, line_chart
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["LINE_NAMES", "SERVICE_LEVEL_TARGET", "FCR_TARGET", "statistics"]

SERVICE_LEVEL_TARGET = 0.75
FCR_TARGET = 0.65
DEFAULT_DAYS = 28
MAX_DAYS = 366
LINE_NAMES = {"115": "Behördennummer 115", "switchboard": "Telefonzentrale", "": "unbekannt"}
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
OUTCOME_NAMES = {
    "solved": "gelöst",
    "forwarded": "weitergeleitet",
    "transferred": "verbunden",
    "callback": "Rückruf",
    "misrouted": "falsch verbunden",
}
CALL_SERIES = (("offered", "angeboten"), ("answered", "angenommen"), ("abandoned", "aufgelegt"))


def _date(text: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day and dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31) else None


def _scope(request: web.Request, counties: dict[str, str]) -> tuple[Scope, list[Message]]:
    """The range and filters of the query string; anything unusable falls back to the last four weeks."""
    query, messages = request.query, []
    today = dt.datetime.now(BERLIN).date()
    last = _date(query.get("bis")) or today
    first = _date(query.get("von")) or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (last - first).days >= MAX_DAYS:
        messages.append(
            Message("warning", "Der Zeitraum war ungültig; gezeigt werden die letzten vier Wochen.")
        )
        last, first = today, today - dt.timedelta(days=DEFAULT_DAYS - 1)
    county = query.get("kreis") if query.get("kreis") in counties else None
    line = query.get("leitung") if query.get("leitung") in ("115", "switchboard") else None
    return Scope(first, last, county=county, line=line), messages


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _period_label(start: str, by: str) -> str:
    day = dt.datetime.fromisoformat(start)
    return f"KW {day.isocalendar().week}" if by == "week" else f"{day:%d.%m.}"


def _calls_chart(name: str, title: str, labels: list[str], rows: list[dict]) -> dict:
    """A grouped bar chart of offered, answered and abandoned calls, with its table rows."""
    series = [Series(text, [row[key] for row in rows]) for key, text in CALL_SERIES]
    desc = (
        f"{title}: angebotene, angenommene und aufgelegte Anrufe; die Zahlen stehen in der Tabelle daneben."
    )
    return {
        "svg": bar_chart(name, title, desc, labels, series),
        "rows": [(label, row) for label, row in zip(labels, rows, strict=True)],
    }


@admin_page
async def statistics(request: web.Request) -> web.Response:
    """GET /statistik?von=&bis=&kreis=&leitung=: charts and tables of the call statistics."""
    await require(request, Action.read_statistics)
    counties = member_counties(request)
    scope, messages = _scope(request, counties)
    by: Bucket = "day" if (scope.last - scope.first).days < 62 else "week"
    async with request.app[SESSIONMAKER]() as session:
        stats = await report.report(session, scope, by)
        hours = await report.hour_of_day_profile(session, scope)
        weekdays = await report.weekday_profile(session, scope)
        by_county = await report.breakdown(session, replace(scope, county=None), "county")
        by_line = await report.breakdown(session, replace(scope, line=None), "line")
        top = await report.top_services(session, scope)
        titles = await store.service_titles(session, ids=[s for s, _ in top])
    labels = [_period_label(point.start, by) for point in stats.series]
    period = "Kalenderwoche" if by == "week" else "Tag"
    service_level = line_chart(
        "service-level",
        f"Servicelevel je {period}",
        f"Anteil der Anrufe, die binnen 30 Sekunden angenommen wurden, je {period}, mit der Ziellinie 75 %.",
        labels,
        [Series("Servicelevel", [p.service_level for p in stats.series])],
        target=SERVICE_LEVEL_TARGET,
        target_label="Ziel 75 %",
    )
    fcr = line_chart(
        "fcr",
        f"Erstlösungsquote je {period}",
        f"Anteil der beim ersten Kontakt gelösten Anliegen, je {period}, mit der Ziellinie 65 %.",
        labels,
        [Series("Erstlösungsquote", [p.first_contact_resolution for p in stats.series])],
        target=FCR_TARGET,
        target_label="Ziel 65 %",
    )
    busy = [h for h, row in enumerate(hours) if row["offered"] or row["decisions"]]
    shown = range(min([7, *busy]), max([18, *busy]) + 1)
    after_hours = [p.after_hours for p in stats.series]
    filters = {"from": scope.first.isoformat(), "to": scope.last.isoformat(), "by": by}
    filters |= {k: v for k, v in (("county", scope.county), ("line", scope.line)) if v}
    return await render(
        "statistics.html",
        request,
        {
            "scope": scope,
            "messages": messages,
            "counties": counties,
            "line_names": LINE_NAMES,
            "outcome_names": OUTCOME_NAMES,
            "totals": stats.totals,
            "series": list(zip(labels, stats.series, strict=True)),
            "period": period,
            "percent": _percent,
            "service_level": service_level,
            "fcr": fcr,
            "targets": {"service_level": SERVICE_LEVEL_TARGET, "fcr": FCR_TARGET},
            "hours": _calls_chart(
                "hours", "Anrufe nach Uhrzeit", [f"{h} Uhr" for h in shown], [hours[h] for h in shown]
            ),
            "weekdays": _calls_chart("weekdays", "Anrufe nach Wochentag", list(WEEKDAYS), weekdays),
            "by_county": _calls_chart(
                "counties",
                "Anrufe nach Kreis",
                [counties.get(k, "unbekannt") for k in by_county],
                list(by_county.values()),
            ),
            "by_line": _calls_chart(
                "lines",
                "Anrufe nach Leitung",
                [LINE_NAMES.get(k, k) for k in by_line],
                list(by_line.values()),
            ),
            "after_hours": bar_chart(
                "after-hours",
                f"Anrufe außerhalb der Servicezeiten je {period}",
                "Routing-Entscheidungen außerhalb der Servicezeiten; die Zahlen stehen in der Tabelle daneben.",
                labels,
                [Series("außerhalb der Servicezeit", after_hours)],
            ),
            "after_hours_total": sum(after_hours),
            "after_hours_by_county": [
                (counties.get(k, "unbekannt"), row["after_hours"]) for k, row in by_county.items()
            ],
            "top": [(titles.get(service, service), n) for service, n in top],
            "top_chart": hbar_chart(
                "services",
                "Häufigste Anliegen",
                "Die Leistungen, die beim Abschluss von Anrufen am häufigsten genannt wurden.",
                [(titles.get(service, service), n) for service, n in top],
            ),
            "csv_url": "/api/v1/stats?" + urlencode({**filters, "format": "csv"}),
        },
    )
