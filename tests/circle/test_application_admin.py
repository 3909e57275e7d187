"""A join application's admin page: staff read it about the applicant and
approve or decline it with one button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circle.models import Invitation, JoinApplication, Organization
from justop.models import OutboxEmail
from tests.factories import StaffFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    return JoinApplication.objects.create(
        organization_name="Westside Works",
        sector=Organization.Sector.NONPROFIT,
        mission="Training Westside neighbors for construction careers.",
        applicant_name="Dana Brooks",
        applicant_email="dana@westside.example.org",
    )


def decide(application: JoinApplication, decision: str) -> str:
    return reverse("admin:circle_joinapplication_decide", args=[application.pk, decision])


def test_the_page_speaks_of_the_applicant_not_to_them(staff_client, application):
    page = staff_client.get(reverse("admin:circle_joinapplication_change", args=[application.pk]))
    html = page.content.decode()

    assert "Applicant&#x27;s name" in html or "Applicant's name" in html
    assert "Your name" not in html and "your name" not in html
    # The public form keeps its own words for the applicant.
    assert "Your name" in staff_client.get("/join/").content.decode()


def test_approve_creates_the_organization_and_invites_the_applicant(staff_client, application):
    page = staff_client.get(reverse("admin:circle_joinapplication_change", args=[application.pk]))
    assert decide(application, "approve") in page.content.decode()
    assert decide(application, "decline") in page.content.decode()

    response = staff_client.post(decide(application, "approve"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:circle_joinapplication_change", args=[application.pk]
    )
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.APPROVED
    assert application.organization.name == "Westside Works"
    assert Invitation.objects.filter(
        organization=application.organization, email="dana@westside.example.org"
    ).exists()
    # Once decided, the buttons are gone and a second press changes nothing.
    page = staff_client.get(response["Location"])
    assert decide(application, "approve") not in page.content.decode()
    staff_client.post(decide(application, "decline"))
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.APPROVED
    assert Organization.objects.filter(name="Westside Works").count() == 1


def test_decline_marks_it_and_tells_the_applicant(staff_client, application):
    response = staff_client.post(decide(application, "decline"))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.DECLINED
    assert OutboxEmail.objects.filter(
        kind="circle.application_declined", recipient="dana@westside.example.org"
    ).exists()
    assert not Organization.objects.filter(name="Westside Works").exists()


def test_the_buttons_take_a_post_only(staff_client, application):
    assert staff_client.get(decide(application, "approve")).status_code == 405
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.PENDING


def test_an_unknown_decision_is_not_found(staff_client, application):
    assert staff_client.post(decide(application, "promote")).status_code == 404


def test_a_post_without_its_csrf_token_is_refused(application):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(client, StaffFactory())

    assert client.post(decide(application, "approve")).status_code == 403
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.PENDING


def test_a_staff_account_without_its_second_factor_cannot_decide(client, application):
    client.force_login(StaffFactory())

    response = client.post(decide(application, "approve"))

    assert response.status_code == 302
    assert response["Location"].startswith((reverse("mfa_index"), reverse("mfa_reauthenticate")))
    application.refresh_from_db()
    assert application.status == JoinApplication.Status.PENDING
