"""The personal data download (the account page's, and the admin's copy)
holds what every app keeps about the person: forum registrations, asks and
offers, messages, volunteer sign-ups and the newsletter, and nothing of
anyone else's."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asks import services
from news.models import Subscriber
from tests.asks.factories import PostFactory
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    member_of,
    sign_in,
    sign_in_with_second_factor,
)
from tests.forums.factories import ForumFactory, registered
from tests.volunteering.factories import ShiftFactory
from volunteering.models import Signup

DOWNLOAD = "/accounts/data/"


def give_everything(person, n: int, tag: str) -> None:
    """n of each thing the apps keep, written by or for this person."""
    theirs = OrganizationFactory()
    other = member_of(theirs)
    organization = person.memberships.first().organization
    for i in range(n):
        registered(ForumFactory(title=f"{tag} forum {i}"), person)
        post = PostFactory(organization=organization, author=person, title=f"{tag} ask {i}")
        services.respond(
            PostFactory(organization=theirs, author=other),
            organization=organization,
            author=person,
            body=f"{tag} message {i}",
        )
        Signup.objects.create(
            shift=ShiftFactory(opportunity__title=f"{tag} pantry {i}"),
            name="Ana",
            email=person.email.upper(),
            status=Signup.Status.CONFIRMED,
        )
        assert post.pk
    Subscriber.objects.create(email=person.email, status=Subscriber.Status.CONFIRMED)


@pytest.fixture
def ana(db):
    return member_of(OrganizationFactory(), user__email="ana@example.org")


@pytest.fixture
def bea(db):
    return member_of(OrganizationFactory(), user__email="bea@example.org")


def download(client, person) -> dict:
    sign_in(client, person)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_download_holds_one_of_each_thing_and_nothing_of_another_person(client, ana, bea):
    give_everything(ana, 1, "Ana's")
    give_everything(bea, 1, "Bea's")

    data = download(client, ana)

    [registration] = data["forum_registrations"]
    assert registration["forum__title"] == "Ana's forum 0"
    [post] = data["asks_and_offers"]
    assert post["title"] == "Ana's ask 0"
    [message] = data["messages"]
    assert message["body"] == "Ana's message 0"
    [signup] = data["volunteer_signups"]
    assert signup["shift__opportunity__title"] == "Ana's pantry 0"
    [subscription] = data["newsletter"]
    assert subscription["status"] == Subscriber.Status.CONFIRMED
    assert data["email_preferences"]["conversation_emails"] is True
    assert "Bea" not in json.dumps(data)
    assert "bea@example.org" not in json.dumps(data)


def test_a_person_with_nothing_gets_empty_parts(client, ana):
    data = download(client, ana)

    for key in ("forum_registrations", "asks_and_offers", "messages", "volunteer_signups"):
        assert data[key] == []
    assert data["newsletter"] == []


def test_staff_get_the_same_download_from_the_admin(client, ana, bea):
    give_everything(ana, 1, "Ana's")
    staff = StaffFactory()
    sign_in_with_second_factor(client, staff)

    response = client.get(reverse("admin:circle_user_data", args=[ana.pk]))

    data = json.loads(response.content)
    assert [r["forum__title"] for r in data["forum_registrations"]] == ["Ana's forum 0"]
    assert [m["body"] for m in data["messages"]] == ["Ana's message 0"]


def test_the_download_costs_the_same_queries_with_one_or_five_of_each(client, ana, bea):
    def queries_for(person) -> int:
        sign_in(client, person)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DOWNLOAD).status_code == 200
        return len(captured.captured_queries)

    give_everything(ana, 1, "Ana's")
    give_everything(bea, 5, "Bea's")

    assert queries_for(ana) == queries_for(bea)
