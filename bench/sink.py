"""A counting SMTP sink for benchmarks.

tests/smtp.py's SMTPSink parses every message with the email package and keeps
it; at 20,000 messages that costs CPU on the same machine as the worker being
measured. This sink keeps only what the benchmark checks: how many messages
arrived under each Message-ID, their size, and a few raw samples."""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^message-id:(.*)$", re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message_id_of(content: bytes) -> str | None:
    """The Message-ID header of a raw message, read from the header block only
    (a body may quote another message's headers)."""
    head = re.split(rb"\r?\n\r?\n", content, maxsplit=1)[0]
    found = _MESSAGE_ID.search(_FOLD.sub(b" ", head))
    # Lines end in CRLF: strip() takes the CR that `$` leaves in the group.
    return found.group(1).decode("ascii", errors="replace").strip() if found else None


class CountingSink:
    def __init__(self, port: int, *, keep_samples: int = 3) -> None:
        self.port = port
        self.keep_samples = keep_samples
        self.ids: Counter[str] = Counter()
        self.accepted = 0
        self.without_id = 0
        self.total_bytes = 0
        self.samples: list[bytes] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.content
        message_id = message_id_of(content)
        with self._lock:
            self.accepted += 1
            self.total_bytes += len(content)
            if message_id is None:
                self.without_id += 1
            else:
                self.ids[message_id] += 1
            if len(self.samples) < self.keep_samples:
                self.samples.append(content)
        return "250 Message accepted for delivery"

    def distinct(self) -> int:
        with self._lock:
            return len(self.ids)

    def snapshot(self) -> tuple[int, Counter[str]]:
        """(messages accepted, Message-ID counts), consistent with each other."""
        with self._lock:
            return self.accepted, Counter(self.ids)

    def start(self) -> CountingSink:
        # aiosmtpd logs every SMTP command at INFO: five lines a message.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
