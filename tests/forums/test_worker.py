"""Invitations through a real Celery worker on the Redis broker: the task
queued on commit, run twice, and each invited person gets one email."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction

from forums import invitations
from forums.models import Forum
from forums.tasks import send_invitations
from tests.factories import OrganizationFactory, member_of
from tests.forums.factories import ForumFactory
from tests.smtp import SMTPSink
from tests.workers import running_worker

PEOPLE = 20


@pytest.mark.worker
@pytest.mark.postgres
def test_invitations_go_out_through_the_worker_once_per_person_even_when_run_twice(
    transactional_db,
):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    organization = OrganizationFactory()
    people = [member_of(organization) for _ in range(PEOPLE)]
    sink = SMTPSink().start()
    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port), "EMAIL_USE_TLS": "false"}
    try:
        with running_worker(extra_env=env):
            with transaction.atomic():
                invitations.invite(forum, organizations=[organization])
            sink.wait_for(PEOPLE, timeout=60)
            # A redelivered task, or staff pressing the button again.
            send_invitations.delay(forum.pk)
            time.sleep(3)
    finally:
        sink.stop()

    received = Counter(str(m["To"]).lower() for m in sink.messages)
    assert set(received) == {p.email.lower() for p in people}
    assert set(received.values()) == {1}
    assert all("List-Unsubscribe" in m for m in sink.messages)
    progress = invitations.progress(forum)
    assert progress["sent"] == PEOPLE
