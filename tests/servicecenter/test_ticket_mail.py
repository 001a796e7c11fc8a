"""Ticket mails to units, delivered for real: to an SMTP server on loopback (aiosmtpd) or as .eml files,
retried after an outage and sent once; the answer link; the reminder at 80 %; erasure after retention.
The worker's round is driven directly with a chosen `now` (the background task is off in these apps)."""

import datetime as dt
import email
import email.policy
import hashlib
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import text

from knowledge.storage.db import create_engine
from servicecenter.app import create_app
from servicecenter.keys import TICKET_WORKER
from servicecenter.settings import Settings

CONTACT = {"name": "Erika Mustermann", "phone": "+49 6592 987654", "channel": "phone"}
LINK = re.compile(r"https?://\S+/anliegen/([A-Za-z0-9_-]{40,})")


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_port() -> int:
    """A loopback port nothing listens on yet: the SMTP server's, before and after it starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(smtp_port: int) -> Iterator[tuple[Controller, Inbox]]:
    """A real SMTP server on 127.0.0.1, not started yet (the test decides when); stopped at the end."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port, ready_timeout=10)
    yield controller, inbox
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def quiet(settings: Settings, **changes) -> Settings:
    return settings.model_copy(update={"ticket_worker": False, **changes})


async def _forward(client, headers: dict, **extra) -> dict:
    units = await (
        await client.get("/api/v1/units", params={"q": "Bürgerbüro Daun", "county": "07233"})
    ).json()
    unit = next(u for u in units if u["email"])
    body = {
        "kind": "forward",
        "county": "07233",
        "unit_id": unit["id"],
        "service_id": "personalausweis-beantragen",
        "summary": "Kann ich den Personalausweis auch in Hillesheim abholen?",
        "contact": CONTACT,
        "consent": True,
    } | extra
    response = await client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status == 201, await response.text()
    return await response.json() | {"unit_email": unit["email"]}


async def test_a_forward_goes_to_a_real_smtp_server_in_german_with_the_answer_link(
    aiohttp_client, settings, make_user, smtp_server, smtp_port
) -> None:
    controller, inbox = smtp_server
    controller.start()
    app = create_app(
        quiet(
            settings, smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp_port}"), public_url="https://sc.emh.example"
        )
    )
    client = await aiohttp_client(app)
    agent = await make_user("anna", "agent")
    ticket = await _forward(client, agent)
    report = await app[TICKET_WORKER].step(dt.datetime.now(dt.UTC))
    assert report.sent == 1 and len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == ticket["unit_email"]
    assert message["Subject"].startswith("Anfrage aus dem Servicecenter EMH: ")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kann ich den Personalausweis auch in Hillesheim abholen?" in text and "Antwort bitte bis" in text
    assert "Personalausweis" in text and "Landkreis Vulkaneifel" in text
    token = LINK.search(text).group(1)
    assert (
        f"https://sc.emh.example/anliegen/{token}" in text
        and f'href="https://sc.emh.example/anliegen/{token}"' in html
    )
    for secret in (CONTACT["phone"], CONTACT["name"]):
        assert secret not in message.as_string(), "the unit's mail carries no contact data"
    current = await (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent)).json()
    assert current["state"] == "forwarded" and current["deliveries"][0]["state"] == "sent"


async def test_without_smtp_the_mail_is_an_eml_file_and_the_link_answers_the_ticket(
    aiohttp_client, settings, make_user
) -> None:
    app = create_app(quiet(settings))
    client = await aiohttp_client(app)
    agent = await make_user("anna", "agent")
    ticket = await _forward(client, agent)
    await app[TICKET_WORKER].step(dt.datetime.now(dt.UTC))
    [written] = list(settings.outbox_dir.glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    token = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            stored = (
                (await connection.execute(text("SELECT token_hash FROM ticket_answer_token"))).scalars().all()
            )
    finally:
        await engine.dispose()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()], "only the token's SHA-256 is stored"

    page = await client.get(f"/anliegen/{token}")
    assert (
        page.status == 200 and "Hillesheim" in await page.text() and CONTACT["phone"] not in await page.text()
    )
    assert (await client.get(f"/anliegen/{token[:-4]}xxxx")).status == 404
    empty = await client.post(f"/anliegen/{token}", data={"answer": " ", "action": "answer"})
    assert empty.status == 422
    sent = await client.post(
        f"/anliegen/{token}",
        data={"answer": "Ja, nach Terminabsprache.", "action": "answer"},
        allow_redirects=False,
    )
    assert sent.status == 303
    assert "Vielen Dank" in await (await client.get(sent.headers["Location"])).text()
    answered = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent)
    body = await answered.json()
    assert body["state"] == "answered" and body["answer"] == "Ja, nach Terminabsprache."
    closed = await client.patch(
        f"/api/v1/tickets/{ticket['id']}",
        json={"state": "closed"},
        headers={**agent, "If-Match": answered.headers["ETag"]},
    )
    assert closed.status == 200
    assert (await client.get(f"/anliegen/{token}")).status == 410
    late = await client.post(f"/anliegen/{token}", data={"answer": "noch etwas", "action": "answer"})
    assert late.status == 410
    assert (await (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent)).json())[
        "answer"
    ] == body["answer"]


async def test_smtp_down_then_up_delivers_once(
    aiohttp_client, settings, make_user, smtp_server, smtp_port
) -> None:
    controller, inbox = smtp_server
    app = create_app(quiet(settings, smtp_url=SecretStr(f"smtp://mailer:geheim-123@127.0.0.1:{smtp_port}")))
    client = await aiohttp_client(app)
    agent = await make_user("anna", "agent")
    ticket = await _forward(client, agent)
    worker, now = app[TICKET_WORKER], dt.datetime.now(dt.UTC)

    assert (await worker.step(now)).failed == 1
    shown = await (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent)).json()
    [delivery] = shown["deliveries"]
    assert (
        delivery["state"] == "retrying"
        and delivery["attempts"] == 1
        and "geheim-123" not in delivery["last_error"]
    )
    assert shown["state"] == "open"

    controller.start()
    assert (await worker.step(now + dt.timedelta(seconds=10))).sent == 0, "waits for its backoff"
    restarted = create_app(quiet(settings, smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp_port}")))
    other = await aiohttp_client(restarted)
    assert (await restarted[TICKET_WORKER].step(now + dt.timedelta(minutes=1))).sent == 1
    assert (await worker.step(now + dt.timedelta(hours=1))).sent == 0
    assert (await restarted[TICKET_WORKER].step(now + dt.timedelta(hours=2))).sent == 0
    assert len(inbox.messages) == 1
    final = await (await other.get(f"/api/v1/tickets/{ticket['id']}", headers=agent)).json()
    assert final["state"] == "forwarded" and final["deliveries"][0]["state"] == "sent"


async def test_one_reminder_at_80_percent_and_the_marks(
    aiohttp_client, settings, make_user, smtp_server, smtp_port
) -> None:
    controller, inbox = smtp_server
    controller.start()
    app = create_app(quiet(settings, smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp_port}")))
    client = await aiohttp_client(app)
    agent = await make_user("anna", "agent")
    ticket = await _forward(client, agent)
    worker = app[TICKET_WORKER]
    warn_at, due_at = (
        dt.datetime.fromisoformat(ticket["warn_at"]),
        dt.datetime.fromisoformat(ticket["due_at"]),
    )
    assert (await worker.step(warn_at - dt.timedelta(minutes=1))).warned == 0
    report = await worker.step(warn_at + dt.timedelta(seconds=1))
    assert (report.warned, report.sent) == (1, 1)
    assert (await worker.step(warn_at + dt.timedelta(minutes=5))).warned == 0
    report = await worker.step(due_at + dt.timedelta(seconds=1))
    assert (report.warned, report.overdue, report.sent) == (0, 1, 0)
    subjects = [m["Subject"] for m in inbox.messages]
    assert len(subjects) == 2 and subjects[1].startswith("Erinnerung: Anfrage")
    assert "80 % der Frist" in inbox.messages[1].get_body(("plain",)).get_content()


async def test_contact_data_is_erased_after_the_retention_period(aiohttp_client, settings, make_user) -> None:
    app = create_app(quiet(settings, ticket_retention_days=30))
    client = await aiohttp_client(app)
    agent = await make_user("anna", "agent")
    ticket = await _forward(client, agent)
    path = f"/api/v1/tickets/{ticket['id']}"
    closed = await client.patch(path, json={"state": "closed"}, headers={**agent, "If-Match": '"1"'})
    closed_at = dt.datetime.fromisoformat((await closed.json())["closed_at"])
    worker = app[TICKET_WORKER]
    assert (await worker.step(closed_at + dt.timedelta(days=29))).erased == 0
    assert (await (await client.get(path, headers=agent)).json())["contact"]["phone"] == CONTACT["phone"]
    assert (await worker.step(closed_at + dt.timedelta(days=30, seconds=1))).erased == 1
    assert (await worker.step(closed_at + dt.timedelta(days=31))).erased == 0
    after = await (await client.get(path, headers=agent)).json()
    assert after["contact"] is None and after["contact_erased_at"] and after["summary"]
    history = await (await client.get(f"{path}/history", headers=agent)).json()
    assert history[0]["action"] == "erase_contact" and history[0]["actor"] == "system"
    assert history[0]["after"]["contact_erased_at"] and not history[0]["before"]["contact_erased_at"]
    for secret in CONTACT.values():
        assert secret == "phone" or secret not in str(history)
