"""The mails to a unit about a ticket, in German, as plain text and HTML: the question, the service, the due
time and the link where the unit answers without an account. No contact data of the citizen is in them."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from knowledge.calendar import to_berlin
from knowledge.tickets.models import MailPurpose, Ticket

__all__ = ["MailFacts", "compose"]

CENTER = "Servicecenter Eifel-Mosel-Hunsrück"


@dataclass(frozen=True)
class MailFacts:
    """What a mail about a ticket says besides the ticket itself."""

    unit: str | None
    service: str | None
    county: str | None
    link: str


def _when(at: dt.datetime) -> str:
    return f"{to_berlin(at):%d.%m.%Y, %H:%M} Uhr"


def _lines(ticket: Ticket, facts: MailFacts, purpose: MailPurpose) -> tuple[str, list[tuple[str, str]], str]:
    """(opening, facts as (label, value), closing) shared by the text and the HTML part."""
    if purpose is MailPurpose.reminder:
        opening = (
            "Erinnerung: Diese Anfrage ist noch offen, und 80 % der Frist sind verstrichen. "
            f"Bitte antworten Sie bis {_when(ticket.due_at)}."
        )
    else:
        opening = (
            f"das {CENTER} (Behördennummer 115) hat eine Anfrage für "
            f"{facts.unit or 'Ihre Stelle'} aufgenommen, die im Gespräch nicht beantwortet werden konnte."
        )
    rows = [("Anliegen", ticket.summary)]
    rows += [
        (label, value) for label, value in (("Leistung", facts.service), ("Kreis", facts.county)) if value
    ]
    rows += [
        ("Aufgenommen", _when(ticket.created_at)),
        ("Antwort bitte bis", f"{_when(ticket.due_at)} (24 Servicestunden, Serviceversprechen der 115)"),
        ("Vorgangsnummer", ticket.id),
    ]
    closing = (
        "Dort tragen Sie die Antwort ein oder vermerken, dass Sie die Anfrage direkt beantwortet haben. "
        "Das Servicecenter gibt die Antwort an die anfragende Person weiter. Der Link gilt, bis der Vorgang "
        "abgeschlossen ist; bitte leiten Sie diese Mail nicht außerhalb der Verwaltung weiter."
    )
    return opening, rows, closing


def _text(ticket: Ticket, facts: MailFacts, purpose: MailPurpose) -> str:
    opening, rows, closing = _lines(ticket, facts, purpose)
    body = "\n".join(
        f"{label}: {value}" if "\n" not in value else f"{label}:\n{value}" for label, value in rows
    )
    return (
        f"Guten Tag,\n\n{opening}\n\n{body}\n\n"
        f"Antworten Sie bitte über diesen Link – eine Anmeldung ist nicht nötig:\n{facts.link}\n\n"
        f"{closing}\n\nMit freundlichen Grüßen\n{CENTER}\n"
    )


def _html(ticket: Ticket, facts: MailFacts, purpose: MailPurpose) -> str:
    opening, rows, closing = _lines(ticket, facts, purpose)
    esc = html.escape
    table = "".join(
        f'<tr><th align="left" valign="top">{esc(label)}</th>'
        f'<td style="white-space: pre-line">{esc(value)}</td></tr>'
        for label, value in rows
    )
    link = esc(facts.link, quote=True)
    return (
        '<!doctype html><html lang="de"><body>'
        f"<p>Guten Tag,</p><p>{esc(opening)}</p><table>{table}</table>"
        f'<p><a href="{link}">Anfrage beantworten</a> – eine Anmeldung ist nicht nötig.<br>{link}</p>'
        f"<p>{esc(closing)}</p><p>Mit freundlichen Grüßen<br>{esc(CENTER)}</p></body></html>"
    )


def compose(
    ticket: Ticket, facts: MailFacts, *, purpose: MailPurpose, sender: str, recipient: str, mail_id: int
) -> EmailMessage:
    """The mail, with a Message-ID that stays the same when the same outbox entry is sent again."""
    subject_what = facts.service or ticket.summary.splitlines()[0][:60]
    prefix = "Erinnerung: " if purpose is MailPurpose.reminder else ""
    message = EmailMessage()
    message["Subject"] = (
        f"{prefix}Anfrage aus dem Servicecenter EMH: {subject_what} – Antwort bis {_when(ticket.due_at)}"
    )
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "servicecenter.local"
    message["Message-ID"] = f"<ticket-{ticket.id}-mail-{mail_id}@{domain}>"
    message.set_content(_text(ticket, facts, purpose))
    message.add_alternative(_html(ticket, facts, purpose), subtype="html")
    return message
