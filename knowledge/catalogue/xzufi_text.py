"""Values inside XZuFi elements: German texts, HTML text modules as plain text, opening hours.

Redaktionssysteme send text modules as (escaped) HTML; agents read plain text with '- ' lists, as in
the demo catalogue. Opening hours become WeeklyHours only where they are weekday time ranges.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from lxml import etree
from pydantic import ValidationError

from knowledge.calendar import WEEKDAYS, WeeklyHours

__all__ = ["german", "plain_text", "weekly_hours"]

_BLOCKS = {"p", "div", "br", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}


def german(elements: Iterable[etree._Element]) -> str | None:
    """The text of the first element in German (languageCode de, de-DE, ...) or without a language."""
    for element in elements:
        language = (element.get("languageCode") or "de").lower()
        if language.startswith("de") and (element.text or "").strip():
            return element.text
    return None


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str | None) -> str | None:
    """`text` without HTML markup: blocks become lines, list items '- ' lines; None when empty."""
    if text is None:
        return None
    if "<" in text:
        parser = _Plain()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def _time(value: str | None) -> str | None:
    match = re.fullmatch(r"(\d{2}):(\d{2})(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?", (value or "").strip())
    return f"{match[1]}:{match[2]}" if match else None


def weekly_hours(element: etree._Element | None, ns: str) -> tuple[dict | None, str | None]:
    """(WeeklyHours dict, notes) from an `oeffnungszeiten` element.

    Every descendant with a `wochentag` (1 = Monday ... 7 = Sunday, as text or `code`) and `beginn`/`ende`
    times is one opening range; a German `beschreibung` is the note. Hours that WeeklyHours cannot hold
    (overlaps, unknown days) are left out and the free text goes to the unit's notes instead.
    """
    if element is None:
        return None, None
    note = plain_text(german(element.iter(f"{ns}beschreibung")))
    days: dict[str, list[str]] = {}
    representable = True
    for entry in element.iter():
        day = entry.find(f"{ns}wochentag")
        if day is None:
            continue
        number = (day.findtext("code") or day.text or "").strip()
        opens, closes = _time(entry.findtext(f"{ns}beginn")), _time(entry.findtext(f"{ns}ende"))
        if number not in {"1", "2", "3", "4", "5", "6", "7"} or opens is None or closes is None:
            representable = False
            continue
        days.setdefault(WEEKDAYS[int(number) - 1], []).append(f"{opens}-{closes}")
    if days and representable:
        hours: dict[str, list[str] | str] = {day: sorted(days[day]) for day in WEEKDAYS if day in days}
        if note:
            hours["note"] = note
        try:
            WeeklyHours.model_validate(hours)
        except ValidationError:
            pass
        else:
            return hours, None
    return None, f"Öffnungszeiten: {note}" if note else None
