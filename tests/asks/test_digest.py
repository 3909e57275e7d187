"""The digest's "asks and offers for your organization": new open posts of
the period that fit one of the member's organizations and that they may
see, built in a fixed number of queries for any number of members."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asks.digest import for_members
from circle import digests
from circle.models import Membership, Organization
from justop.digests import Period
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, StaffFactory, member_of
from tests.smtp import text_of

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
WEEK_47 = Period.last_complete("weekly", IN_WEEK_48)
DURING = WEEK_47.start + timedelta(days=3)
Side = Organization.Side


@pytest.fixture
def trainer():
    return OrganizationFactory(
        name="Peachtree Skills", side=Side.SUPPLY, stages=["job-access"], counties=["cobb"]
    )


@pytest.fixture
def employer():
    return OrganizationFactory(name="Manufacturers", side=Side.DEMAND)


def titles(found, person) -> list[str]:
    return [item["title"] for item in found.get(person.pk, [])]


def test_new_posts_that_fit_the_organization_are_listed_best_first(trainer, employer):
    person = member_of(trainer)
    PostFactory(organization=employer, title="Close fit", stages=["job-access"],
                counties=["cobb"], created_at=DURING)  # fmt: skip
    PostFactory(
        organization=employer, title="Region-wide", stages=["job-access"], created_at=DURING
    )
    PostFactory(organization=employer, title="Elsewhere", stages=["job-access"],
                counties=["henry"], created_at=DURING)  # fmt: skip
    PostFactory(organization=employer, title="Another stage", stages=["entrepreneurship"],
                created_at=DURING)  # fmt: skip
    PostFactory(organization=employer, title="Last month", stages=["job-access"],
                created_at=DURING - timedelta(days=30))  # fmt: skip
    offer(organization=trainer, title="Our own", stages=["job-access"], created_at=DURING)
    found = for_members([person], WEEK_47)
    assert titles(found, person) == ["Ask: Close fit", "Ask: Region-wide"]
    [first, _] = found[person.pk]
    assert first["url"].startswith("/asks/")
    assert first["meta"] == (
        "Manufacturers · same stage, same county, talent supply offers what employer demand asks"
    )


def test_closed_and_expired_posts_are_left_out(trainer, employer):
    person = member_of(trainer)
    PostFactory(organization=employer, stages=["job-access"], status="closed", created_at=DURING)
    PostFactory(organization=employer, stages=["job-access"], created_at=DURING,
                deadline=(IN_WEEK_48 - timedelta(days=60)).date())  # fmt: skip
    assert for_members([person], WEEK_47) == {}


def test_the_digest_email_carries_the_section(smtp_sink, trainer, employer):
    person = member_of(trainer)
    PostFactory(organization=employer, title="20 technicians", stages=["job-access"],
                created_at=DURING)  # fmt: skip
    digests.send_digests("weekly", IN_WEEK_48)
    [message] = smtp_sink.to(person.email)
    text = text_of(message)
    assert "ASKS AND OFFERS FOR YOUR ORGANIZATION" in text.upper()
    assert "Ask: 20 technicians" in text


def test_it_takes_the_same_queries_for_3_and_30_members(trainer, employer):
    def members(count):
        people = []
        for n in range(count):
            organization = trainer if n % 2 else OrganizationFactory(stages=["job-access"])
            people.append(member_of(organization))
        people.append(StaffFactory())
        return people

    for _ in range(5):
        PostFactory(organization=employer, stages=["job-access"], created_at=DURING)
    few, many = members(3), members(30)
    Membership.objects.create(user=many[0], organization=OrganizationFactory())
    with CaptureQueriesContext(connection) as for_few:
        found_few = for_members(few, WEEK_47)
    with CaptureQueriesContext(connection) as for_many:
        found_many = for_members(many, WEEK_47)
    assert len(for_few.captured_queries) == len(for_many.captured_queries)
    assert len(found_few) == 3 and len(found_many) == 30
