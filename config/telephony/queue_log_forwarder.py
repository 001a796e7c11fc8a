#!/usr/bin/env python3
"""Forward Asterisk's queue_log to the service: tail the file and POST new lines to /api/v1/acd/events.

    queue_log_forwarder.py /var/log/asterisk/queue_log \\
        --url http://10.20.0.10:8115/api/v1/acd/events \\
        --token-file /etc/asterisk/servicecenter.token --state /var/lib/asterisk/queue_log.forwarded

Python standard library only, so it runs on the PBX host as it is. It sends complete lines in batches,
remembers in the state file how far the service has acknowledged (file identity and byte offset), and
follows the file through rotation (rename: the old file is read to its end first, also when the rotation
happened while the forwarder was stopped and the old file is now FILE.1) and truncation. Sending
a line twice is harmless (the service counts each event once), so after a crash it simply resends from the
last acknowledged offset. A line the service calls malformed is skipped and its number logged; on any
other failure the same batch is retried with growing pauses. Nothing of a line's content is logged: it
holds caller ids. The token is read from a file (or SERVICECENTER_TOKEN), never from the command line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger("queue_log_forwarder")

MAX_PAUSE_S = 60.0


class Fatal(Exception):
    """A failure retrying cannot fix (wrong token, wrong URL)."""


class Tail:
    """Complete lines of a growing, rotating file, from a saved position on."""

    def __init__(self, path: Path, state_path: Path) -> None:
        self.path, self.state_path = path, state_path
        self.file = None
        self.inode = -1
        self.offset = 0

    def open(self) -> bool:
        """Open the file at the saved offset when it is the file read last; when that one was rotated away
        meanwhile (FILE.1), finish it first. From the start for any other file; False while none exists."""
        saved = self._saved()
        for candidate in (self.path, self.path.with_name(self.path.name + ".1")):
            try:
                if candidate.stat().st_ino == saved.get("inode"):
                    self.file = candidate.open("rb")
                    break
            except FileNotFoundError:
                continue
        else:
            try:
                self.file = self.path.open("rb")
            except FileNotFoundError:
                return False
        self.inode = os.fstat(self.file.fileno()).st_ino
        size = os.fstat(self.file.fileno()).st_size
        self.offset = saved["offset"] if saved.get("inode") == self.inode and saved["offset"] <= size else 0
        self.file.seek(self.offset)
        return True

    def _saved(self) -> dict:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def read(self, max_lines: int) -> list[bytes]:
        """Up to `max_lines` complete lines after the offset (the offset moves only when `advance` is called)."""
        assert self.file is not None
        if os.fstat(self.file.fileno()).st_size < self.offset:  # truncated in place (copytruncate)
            log.info("queue_log truncated, reading it from the start")
            self.offset = 0
        self.file.seek(self.offset)
        lines = []
        for line in self.file:
            if not line.endswith(b"\n"):
                break
            lines.append(line)
            if len(lines) >= max_lines:
                break
        return lines

    def advance(self, lines: list[bytes]) -> None:
        """The service has these lines: move past them and remember it."""
        self.offset += sum(len(line) for line in lines)
        temporary = self.state_path.with_name(self.state_path.name + ".tmp")
        temporary.write_text(json.dumps({"inode": self.inode, "offset": self.offset}), encoding="utf-8")
        temporary.replace(self.state_path)

    def rotated(self) -> bool:
        """Whether the path names another file now (read this one to its end before switching)."""
        try:
            return self.path.stat().st_ino != self.inode
        except FileNotFoundError:
            return False

    def switch(self) -> None:
        """Continue with the file now at the path, from its beginning."""
        if self.file is not None:
            self.file.close()
        self.file = self.path.open("rb")
        self.inode, self.offset = os.fstat(self.file.fileno()).st_ino, 0
        log.info("queue_log rotated, following the new file")


def post(url: str, token: str, lines: list[bytes], timeout: float) -> tuple[int, dict]:
    """POST the lines; (status, decoded JSON body or {})."""
    request = urllib.request.Request(
        url,
        data=b"".join(lines),
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            body = json.loads(error.read() or b"{}")
        except ValueError:
            body = {}
        return error.code, body


def send(url: str, token: str, lines: list[bytes], timeout: float) -> dict:
    """Deliver `lines`, skipping those the service calls malformed; retries until delivered."""
    pause = 1.0
    pending = list(lines)
    while pending:
        try:
            status, body = post(url, token, pending, timeout)
        except (OSError, ValueError) as error:
            status, body = 0, {"detail": type(error).__name__}
        if status == 200:
            return body
        if status == 422 and body.get("errors"):
            bad = {e["loc"][-1] for e in body["errors"] if isinstance(e.get("loc", [None])[-1], int)}
            for number in sorted(bad):
                log.warning("skipping malformed line %d of the batch: %s", number, _reason(body, number))
            pending = [line for n, line in enumerate(pending, start=1) if n not in bad]
            continue
        if status in (401, 403, 404, 405, 415):
            raise Fatal(f"the service refused the lines ({status}): {body.get('detail', '')}")
        log.warning("sending failed (%s), retrying in %.0f s", status or body.get("detail"), pause)
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE_S)
    return {"counted": 0}


def _reason(body: dict, number: int) -> str:
    return next((e.get("msg", "") for e in body["errors"] if e.get("loc", [None])[-1] == number), "")


def run(args: argparse.Namespace, token: str) -> int:
    """Forward until stopped (or, with --once, until the end of the file)."""
    tail = Tail(args.file, args.state)
    while not tail.open():
        if args.once:
            log.error("%s does not exist", args.file)
            return 1
        time.sleep(args.interval)
    sent = counted = 0
    while True:
        lines = tail.read(args.batch)
        if lines:
            answer = send(args.url, token, lines, args.timeout)
            tail.advance(lines)
            sent += len(lines)
            counted += int(answer.get("counted", 0))
            continue
        if tail.rotated():
            tail.switch()
            continue
        if args.once:
            log.info("sent %d lines, %d events counted", sent, counted)
            return 0
        time.sleep(args.interval)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and forward."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path, help="the queue_log file, e.g. /var/log/asterisk/queue_log")
    parser.add_argument("--url", required=True, help="…/api/v1/acd/events of the service")
    parser.add_argument("--token-file", type=Path, help="file holding a pbx user's API token")
    parser.add_argument("--state", type=Path, required=True, help="where to remember how far lines were sent")
    parser.add_argument("--batch", type=int, default=2000, help="lines per request (default 2000)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the file")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the service")
    parser.add_argument("--once", action="store_true", help="send what the file holds, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    token = (
        args.token_file.read_text(encoding="utf-8").strip()
        if args.token_file
        else os.environ.get("SERVICECENTER_TOKEN", "")
    )
    if not token:
        parser.error("give --token-file or set SERVICECENTER_TOKEN")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return run(args, token)
    except Fatal as error:
        log.error("%s", error)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
