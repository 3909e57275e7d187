"""One page per person in the admin: what every app holds about them, their
data download and the deletion of their account."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asks.models import Conversation, PostResponse
from circle.models import JoinApplication, Membership, Organization, User
from forums.models import Registration
from justop.models import OutboxEmail
from tests.asks.factories import PostFactory
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)
from tests.forums.factories import ForumFactory, registered
from tests.volunteering.factories import ShiftFactory
from volunteering.models import Signup

pytestmark = pytest.mark.django_db


def everything_about(person: User, n: int = 1) -> None:
    for i in range(n):
        organization = OrganizationFactory(name=f"Westside Works {uuid.uuid4().hex[:6]}")
        MembershipFactory(user=person, organization=organization, role=Membership.Role.ADMIN)
        registered(ForumFactory(title=f"Forum on transit {i}"), person)
        Signup.objects.create(
            shift=ShiftFactory(),
            name=person.name,
            email=person.email.upper(),
            status=Signup.Status.CONFIRMED,
        )
        JoinApplication.objects.create(
            organization_name=f"Eastside Jobs {uuid.uuid4().hex[:6]}",
            sector=Organization.Sector.NONPROFIT,
            mission="Jobs.",
            applicant_name=person.name,
            applicant_email=person.email,
        )
        post = PostFactory(organization=organization, author=person, title=f"Ten welders {i}")
        conversation = Conversation.objects.create(post=post, organization=OrganizationFactory())
        PostResponse.objects.create(
            conversation=conversation, author=person, organization=organization, body="We can help"
        )
        key = uuid.uuid4().hex
        OutboxEmail.objects.create(
            key=key,
            message_id=key,
            kind="forums.invitation",
            recipient=person.email,
            state=OutboxEmail.State.FAILED,
        )


def test_the_persons_page_shows_what_each_app_holds_about_them(staff_client):
    person = UserFactory(name="Ana Lima")
    everything_about(person)
    stranger = UserFactory()
    registered(ForumFactory(title="Someone else's forum"), stranger)

    page = staff_client.get(reverse("admin:circle_user_change", args=[person.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    for caption in (
        "Memberships",
        "Forum registrations",
        "Volunteer sign-ups",
        "Join applications",
        "Asks and offers posted",
        "Messages",
        "Emails sent to them",
    ):
        assert f"<caption>{caption} (1)</caption>" in html, caption
    assert "Forum on transit 0" in html and "Someone else" not in html
    assert "Ten welders 0" in html and "We can help" in html
    assert "forums.invitation" in html and "failed" in html
    registration = Registration.objects.get(user=person)
    assert reverse("admin:forums_registration_change", args=[registration.pk]) in html


def test_each_panels_link_lists_their_rows(staff_client):
    person = UserFactory()
    everything_about(person)
    page = staff_client.get(reverse("admin:circle_user_change", args=[person.pk]))
    panels = page.context["person_panels"]

    for panel, items, url in panels:
        listing = staff_client.get(url)
        assert listing.status_code == 200, panel.key
        assert listing.context["cl"].result_count == len(items), panel.key


def test_the_page_runs_the_same_number_of_queries_whatever_the_person_did(staff_client):
    few, many = UserFactory(), UserFactory()
    everything_about(few, 1)
    everything_about(many, 5)
    staff_client.get(reverse("admin:circle_user_change", args=[few.pk]))

    with CaptureQueriesContext(connection) as small:
        staff_client.get(reverse("admin:circle_user_change", args=[few.pk]))
    with CaptureQueriesContext(connection) as large:
        page = staff_client.get(reverse("admin:circle_user_change", args=[many.pk]))

    assert "<caption>Forum registrations (5)</caption>" in page.content.decode()
    assert len(large) == len(small)


def test_staff_download_the_persons_data(staff_client):
    person = UserFactory(name="Ana Lima")
    everything_about(person)
    page = staff_client.get(reverse("admin:circle_user_change", args=[person.pk]))
    url = reverse("admin:circle_user_data", args=[person.pk])
    assert url in page.content.decode()

    download = staff_client.get(url)

    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["account"]["email"] == person.email
    assert len(data["memberships"]) == 1


def test_deleting_the_account_asks_first_then_takes_their_email_log(staff_client):
    person = UserFactory()
    OutboxEmail.objects.create(key="k1", message_id="k1", kind="x", recipient=person.email)
    page = staff_client.get(reverse("admin:circle_user_change", args=[person.pk]))
    delete = reverse("admin:circle_user_delete", args=[person.pk])
    assert delete in page.content.decode()

    confirm = staff_client.get(delete)
    assert confirm.status_code == 200 and User.objects.filter(pk=person.pk).exists()
    done = staff_client.post(delete, {"post": "yes"})

    assert done.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert not OutboxEmail.objects.filter(recipient=person.email).exists()


def test_the_last_admin_of_an_organization_is_not_deleted(staff_client):
    person = UserFactory()
    MembershipFactory(user=person, role=Membership.Role.ADMIN)
    delete = reverse("admin:circle_user_delete", args=[person.pk])

    staff_client.post(delete, {"post": "yes"})

    assert User.objects.filter(pk=person.pk).exists()


def test_a_staff_account_without_its_second_factor_gets_no_data(client):
    person = UserFactory()
    client.force_login(StaffFactory())

    for url in (
        reverse("admin:circle_user_change", args=[person.pk]),
        reverse("admin:circle_user_data", args=[person.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(
            (reverse("mfa_index"), reverse("mfa_reauthenticate"))
        )
