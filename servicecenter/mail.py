"""Sending mail: through the SMTP server of `SERVICECENTER_SMTP_URL` (aiosmtplib), or, while none is set,
as .eml files in DATA_DIR/outbox/ so a fresh `servicecenter serve` works with nothing else.

The SMTP URL may hold a user and password; neither is ever logged or put into an error text
(`Mailer.describe()` names scheme, host and port only).
"""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from servicecenter.settings import Settings

__all__ = ["DELIVERY_ERRORS", "Mailer"]

SMTP_TIMEOUT_S = 30
DELIVERY_ERRORS = (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError)
"""Failures a later attempt may overcome: the server down, refusing, or too slow."""


class Mailer:
    """Delivers one message at a time, by SMTP or into the outbox directory."""

    def __init__(self, settings: Settings) -> None:
        self._outbox = settings.outbox_dir
        self._smtp: dict | None = None
        if settings.smtp_url is not None:
            parts = urlsplit(settings.smtp_url.get_secret_value())
            tls = parts.scheme == "smtps"
            self._smtp = {
                "hostname": parts.hostname,
                "port": parts.port or (465 if tls else 25),
                "username": unquote(parts.username) if parts.username else None,
                "password": unquote(parts.password) if parts.password else None,
                "use_tls": tls,
            }

    def describe(self) -> str:
        """Where mail goes, for logs: no user, no password."""
        if self._smtp is None:
            return f"outbox directory {self._outbox}"
        scheme = "smtps" if self._smtp["use_tls"] else "smtp"
        return f"{scheme}://{self._smtp['hostname']}:{self._smtp['port']}"

    async def send(self, message: EmailMessage, *, name: str) -> None:
        """Deliver `message`; `name` (unique per outbox entry) names its .eml file when there is no SMTP
        server, so sending the same entry again rewrites the same file. Raises one of DELIVERY_ERRORS."""
        if self._smtp is None:
            await asyncio.to_thread(self._write, message, name)
        else:
            await aiosmtplib.send(message, timeout=SMTP_TIMEOUT_S, **self._smtp)

    def _write(self, message: EmailMessage, name: str) -> None:
        self._outbox.mkdir(parents=True, exist_ok=True)
        target = self._outbox / f"{name}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)
