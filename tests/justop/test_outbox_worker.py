"""The outbox against real faults: a real Celery worker on the Redis broker,
killed with SIGKILL in the middle of sending, and a broker that loses every
message it held. Every email still arrives, counted by Message-ID at a real
SMTP server; a copy can only be of a message the server had accepted when a
kill fell, so there is at most one copy per kill."""

from __future__ import annotations

import time

import pytest
import redis

from justop import outbox
from justop.models import OutboxEmail
from tests.smtp import SMTPSink
from tests.workers import Worker

MESSAGES = 600
KILLS = 1


def start_worker(sink: SMTPSink) -> Worker:
    worker = Worker(
        extra_env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            # A claim this old belongs to a dead worker (the default, 600 s,
            # is above the task time limit; this test cannot wait that long).
            "OUTBOX_CLAIM_TIMEOUT": "3",
        }
    )
    worker.wait_ready()
    return worker


def wait_until(condition, timeout: float, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout}s")
        time.sleep(step)


@pytest.mark.worker
@pytest.mark.postgres
def test_no_email_is_lost_when_the_worker_is_killed_and_the_broker_flushed(
    transactional_db, settings
):
    settings.OUTBOX_CLAIM_TIMEOUT = 3
    settings.OUTBOX_REQUEUE_AFTER = 5
    # Each message takes the server a few milliseconds, so the kill lands mid-send.
    sink = SMTPSink(delay=0.003).start()
    workers: list[Worker] = []
    try:
        workers.append(start_worker(sink))
        rows = outbox.queue_many(
            [
                outbox.Email(
                    kind="test.fault",
                    to=f"person{i}@example.org",
                    about=f"fault:{i}",
                    subject=f"Message {i}",
                    body_text=f"This is message {i} of {MESSAGES}.",
                )
                for i in range(MESSAGES)
            ]
        )
        expected = {row.message_id for row in rows}
        assert len(expected) == MESSAGES

        # 1. SIGKILL the worker in the middle of sending.
        wait_until(lambda: len(sink.messages) >= MESSAGES // 4, timeout=120)
        workers[0].kill()
        at_kill = len(sink.messages)
        claimed_at_kill = OutboxEmail.objects.filter(state=OutboxEmail.State.SENDING).count()

        # 2. A new worker takes over what is still on the broker...
        workers.append(start_worker(sink))
        wait_until(lambda: len(sink.messages) >= MESSAGES // 2, timeout=120)

        # 3. ...until the broker loses every message it held (a Redis restart
        # without persistence).
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        lost_tasks = broker.llen("celery")
        broker.flushdb()
        at_flush = len(sink.messages)

        # 4. The beat sweeper (run here every second) puts the orphans back.
        sweeps = requeued = 0
        deadline = time.monotonic() + 180
        while OutboxEmail.objects.exclude(state=OutboxEmail.State.SENT).exists():
            assert time.monotonic() < deadline, "emails still unsent after 180 s"
            requeued += outbox.sweep()
            sweeps += 1
            time.sleep(1)
    finally:
        for worker in workers:
            worker.stop()
        sink.stop()

    counts = sink.message_ids()
    copies = {mid: n for mid, n in counts.items() if n > 1}
    print(
        f"\n{MESSAGES} queued; {at_kill} received when the worker was killed "
        f"({claimed_at_kill} claimed); {at_flush} when the broker was flushed "
        f"({lost_tasks} tasks lost); sweeper re-enqueued {requeued} in {sweeps} sweeps; "
        f"{len(counts)} distinct Message-IDs received, {sum(counts.values())} messages, "
        f"{len(copies)} with a copy"
    )
    assert set(counts) == expected, f"lost: {len(expected - set(counts))}"
    assert len(copies) <= KILLS and all(n == 2 for n in copies.values())
    assert OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).count() == MESSAGES
