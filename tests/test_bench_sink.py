"""The benchmark's SMTP sink counts what a real SMTP client delivers: every
message under its Message-ID, whole, however it was split on the wire."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from bench.sink import CountingSink, free_port


@pytest.fixture
def sink():
    sink = CountingSink(free_port()).start()
    yield sink
    sink.stop()


def message(number: int, body: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "noreply@example.org"
    mail["To"] = f"person{number}@example.org"
    mail["Subject"] = f"Message {number}"
    mail["Message-ID"] = f"<{number}@bench.example.org>"
    mail.set_content(body)
    return mail.as_bytes(policy=SMTP)  # CRLF line ends, as Django sends


def test_messages_sent_on_one_connection_are_counted_by_message_id(sink):
    # A line with a leading dot is doubled on the wire and must come back single.
    bodies = ["Hello.", ".A line that starts with a dot\n..and another", "x" * 50_000]
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        for number, body in enumerate(bodies):
            client.sendmail(
                "noreply@example.org", [f"person{number}@example.org"], message(number, body)
            )
        # The same message again: counted twice under its Message-ID.
        client.sendmail("noreply@example.org", ["person0@example.org"], message(0, bodies[0]))

    accepted, ids = sink.snapshot()
    assert accepted == 4
    assert ids == {
        "<0@bench.example.org>": 2,
        "<1@bench.example.org>": 1,
        "<2@bench.example.org>": 1,
    }
    assert b"\r\n.A line that starts with a dot\r\n..and another\r\n" in sink.samples[1]
    assert sink.total_bytes == sum(len(s) for s in sink.samples) + len(sink.samples[0])


def test_two_clients_at_once_and_a_message_without_id(sink):
    first = smtplib.SMTP("127.0.0.1", sink.port)
    second = smtplib.SMTP("127.0.0.1", sink.port)
    try:
        first.sendmail("a@example.org", ["b@example.org"], message(1, "one"))
        # Bare LF line ends, and a dot to undo after one.
        second.sendmail("a@example.org", ["b@example.org"], b"Subject: no id\n\n.Hello\n")
        second.sendmail("a@example.org", ["b@example.org"], message(2, "two"))
    finally:
        first.quit()
        second.quit()
    assert sink.distinct() == 2
    assert sink.without_id == 1
    assert b"\n.Hello\n" in sink.samples[1]
