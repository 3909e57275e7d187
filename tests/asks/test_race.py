"""Many members pressing the same button at the same moment, on PostgreSQL:
one conversation per responding organization, one match per ask and offer,
and each person emailed once per event."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from asks import services
from asks.models import Conversation, Match
from circle.models import Membership
from justop.models import OutboxEmail
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, member_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PEOPLE = 12


def all_at_once(action: Callable[[int], object]) -> list[BaseException]:
    start = threading.Barrier(PEOPLE)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            action(i)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_responses_of_one_organization_share_one_conversation():
    employer, trainer = OrganizationFactory(), OrganizationFactory()
    author = member_of(employer)
    post = PostFactory(organization=employer, author=author)
    people = [member_of(trainer) for _ in range(PEOPLE)]
    errors = all_at_once(
        lambda i: services.respond(
            post, organization=trainer, author=people[i], body=f"Message {i}"
        )
    )
    assert not errors, errors
    conversation = Conversation.objects.get()
    assert conversation.responses.count() == PEOPLE
    # The author hears of every message, once each.
    assert OutboxEmail.objects.filter(recipient=author.email).count() == PEOPLE


def test_simultaneous_marks_make_one_match_and_one_email_per_person():
    employer, trainer = OrganizationFactory(), OrganizationFactory()
    ask_author = member_of(employer)
    admin = member_of(employer, Membership.Role.ADMIN)
    ask = PostFactory(organization=employer, author=ask_author, stages=["job-access"])
    graduates = offer(organization=trainer, author=member_of(trainer), stages=["job-access"])
    people = [member_of(trainer) for _ in range(PEOPLE)]
    errors = all_at_once(
        lambda i: services.mark_match(graduates, ask, state="conversation", by=people[i])
    )
    assert not errors, errors
    assert Match.objects.count() == 1
    for person in (ask_author, admin):
        assert (
            OutboxEmail.objects.filter(
                recipient=person.email, kind="circle.match_conversation"
            ).count()
            == 1
        )
