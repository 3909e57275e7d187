"""The admin's invitation picker tells people apart by email and
organization, and invites an address outside the Circle, whose email links
to a page where they register without an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import invitations
from forums.models import Forum, ForumInvitation, Registration
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    sent_to_sign_in,
)
from tests.forums.factories import ForumFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/forums/[^\s\"<>]+/invitation/[^\s\"<>]+/")


def test_people_of_the_same_name_show_their_email_and_organization(staff_client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    first = UserFactory(name="Maria Garcia", email="maria.g@westside.example.org")
    second = UserFactory(name="Maria Garcia", email="mgarcia@eastside.example.org")
    MembershipFactory(user=first, organization=OrganizationFactory(name="Westside Works"))
    MembershipFactory(user=second, organization=OrganizationFactory(name="Eastside Jobs"))

    page = staff_client.get(reverse("admin:forums_forum_invite", args=[forum.pk]))
    labels = dict(page.context["form"].fields["people"].choices)
    html = page.content.decode()

    assert labels[first.pk] == "Maria Garcia <maria.g@westside.example.org> · Westside Works"
    assert labels[second.pk] == "Maria Garcia <mgarcia@eastside.example.org> · Eastside Jobs"
    assert "Maria Garcia &lt;mgarcia@eastside.example.org&gt; · Eastside Jobs" in html


def test_the_picker_runs_the_same_number_of_queries_whatever_the_number_of_people(staff_client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    url = reverse("admin:forums_forum_invite", args=[forum.pk])
    MembershipFactory()
    staff_client.get(url)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url)
    for _ in range(10):
        MembershipFactory()
    with CaptureQueriesContext(connection) as large:
        staff_client.get(url)

    assert len(large) == len(small)


def test_an_outside_address_is_invited_emailed_and_can_register(
    staff_client, visitor, django_capture_on_commit_callbacks
):
    forum = ForumFactory(audience=Forum.Audience.INVITED, title="Transit and jobs", capacity=5)
    url = reverse("admin:forums_forum_invite", args=[forum.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"emails": "Guest.Outside@Example.org"})

    assert response.status_code == 302
    invitation = ForumInvitation.objects.get(forum=forum)
    assert invitation.user is None and invitation.email == "guest.outside@example.org"
    [message] = [m for m in mail.outbox if m.to == ["guest.outside@example.org"]]
    assert "Transit and jobs" in message.subject
    link = LINK.search(message.body).group(0)

    # The link works without an account; the forum's own page stays closed.
    page = visitor.get(link)
    assert page.status_code == 200
    assert "Transit and jobs" in page.content.decode()
    assert sent_to_sign_in(visitor.get(forum.get_absolute_url()))

    done = visitor.post(link, {"name": "Gale Outsider", "organization": "Neighbors United"})

    assert done.status_code == 302
    registration = Registration.objects.get(forum=forum)
    assert registration.email == "guest.outside@example.org"
    assert registration.status == Registration.Status.CONFIRMED
    assert "You are registered" in visitor.get(link).content.decode()
    # Registering twice keeps one place.
    visitor.post(link, {"name": "Gale Outsider", "organization": ""})
    assert Registration.objects.filter(forum=forum).count() == 1


def test_an_address_with_an_account_invites_that_person(
    staff_client, django_capture_on_commit_callbacks
):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    person = UserFactory(email="known@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:forums_forum_invite", args=[forum.pk]),
            {"emails": "KNOWN@example.org"},
        )

    assert ForumInvitation.objects.get(forum=forum).user == person


def test_a_wrong_address_is_pointed_out(staff_client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)

    page = staff_client.post(
        reverse("admin:forums_forum_invite", args=[forum.pk]), {"emails": "ok@example.org nope"}
    )

    assert page.status_code == 200
    assert "nope" in page.content.decode()
    assert not ForumInvitation.objects.filter(forum=forum).exists()


@pytest.mark.parametrize("token", ["nonsense", "a" * 600, "1:bad:sig"])
def test_a_forged_or_foreign_link_is_not_found(client, token):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    other = ForumFactory(audience=Forum.Audience.INVITED)
    theirs = ForumInvitation.objects.create(forum=other, email="someone@example.org")

    assert client.get(reverse("forums:invitation", args=[forum.slug, token])).status_code == 404
    # A real link of another forum opens nothing here.
    foreign = invitations.token(theirs)
    assert client.get(reverse("forums:invitation", args=[forum.slug, foreign])).status_code == 404
