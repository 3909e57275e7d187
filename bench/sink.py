"""A counting SMTP sink for benchmarks.

It stands for the mail relay, which in a deployment runs on another machine
or is a compiled MTA; here it shares the two CPUs with the worker being
measured, so it must cost as little as it can. tests/smtp.py's SMTPSink
(aiosmtpd) parses every message with the email package and keeps it, and
aiosmtpd itself reads a message line by line: about 1.8 ms of CPU a
message, a fifth of what the worker spends. This sink speaks the SMTP that
smtplib speaks (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on asyncio's
low-level protocol API, reads DATA in blocks, and keeps only what the
benchmark checks: how many messages arrived under each Message-ID, their
size, and a few raw samples."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
from collections import Counter

_MESSAGE_ID = re.compile(rb"^message-id:(.*)$", re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]+")
_END_OF_DATA = b"\r\n.\r\n"


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


def undot(data: bytes) -> bytes:
    """The message of a DATA block: RFC 5321 §4.5.2 doubles a leading dot
    (smtplib does it after a bare LF too)."""
    data = data.replace(b"\n..", b"\n.")
    return data[1:] if data.startswith(b"..") else data


class _Session(asyncio.Protocol):
    """One SMTP connection: commands line by line, DATA as one block."""

    def __init__(self, sink: CountingSink) -> None:
        self.sink = sink
        self.buffer = bytearray()
        self.in_data = False
        self.transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.WriteTransport):
            self.transport = transport
            self._reply(b"220 127.0.0.1 ESMTP benchmark sink")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            if self.in_data:
                if not self._take_message():
                    return
            elif not self._take_command():
                return

    def _take_message(self) -> bool:
        # An empty message ends at once with ".\r\n"; any other with CRLF.CRLF.
        if self.buffer.startswith(b".\r\n"):
            content, consumed = b"", 3
        else:
            end = self.buffer.find(_END_OF_DATA)
            if end < 0:
                return False
            content, consumed = undot(bytes(self.buffer[: end + 2])), end + len(_END_OF_DATA)
        del self.buffer[:consumed]
        self.in_data = False
        self.sink.received(content)
        self._reply(b"250 Message accepted for delivery")
        return True

    def _take_command(self) -> bool:
        end = self.buffer.find(b"\r\n")
        if end < 0:
            return False
        verb = bytes(self.buffer[: min(end, 4)]).upper()
        del self.buffer[: end + 2]
        if verb == b"EHLO":
            self._reply(b"250-127.0.0.1\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600")
        elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self._reply(b"250 OK")
        elif verb == b"DATA":
            self.in_data = True
            self._reply(b"354 End data with <CR><LF>.<CR><LF>")
        elif verb == b"QUIT":
            self._reply(b"221 Bye")
            if self.transport is not None:
                self.transport.close()
        else:
            self._reply(b"502 Command not implemented")
        return True

    def _reply(self, line: bytes) -> None:
        if self.transport is not None:
            self.transport.write(line + b"\r\n")


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
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="smtp-sink", daemon=True
        )

    def received(self, content: bytes) -> None:
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

    def distinct(self) -> int:
        with self._lock:
            return len(self.ids)

    def snapshot(self) -> tuple[int, Counter[str]]:
        """(messages accepted, Message-ID counts), consistent with each other."""
        with self._lock:
            return self.accepted, Counter(self.ids)

    def start(self) -> CountingSink:
        self._thread.start()
        listening = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(lambda: _Session(self), "127.0.0.1", self.port), self._loop
        )
        self._server = listening.result(timeout=10)
        return self

    def stop(self) -> None:
        if self._server is not None:
            server = self._server
            self._server = None
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_close(server), self._loop).result(timeout=10)
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()


async def _close(server: asyncio.Server) -> None:
    server.close()
    # Python 3.13: also end the connections still open (a worker killed or stopped).
    server.close_clients()
    await server.wait_closed()
