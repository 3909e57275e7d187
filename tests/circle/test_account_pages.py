"""A person's own pages: their organizations, leaving one, downloading
everything the portal holds about them, and deleting their account."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from circle.models import EmailPreferences, Membership, User
from justop import outbox
from justop.models import OutboxEmail
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, member_of

ADMIN = Membership.Role.ADMIN


@pytest.fixture
def westside(db):
    return OrganizationFactory(name="Westside Works", slug="westside-works")


@pytest.fixture
def eastside(db):
    return OrganizationFactory(name="Eastside Jobs", slug="eastside-jobs")


@pytest.fixture
def person(westside, eastside):
    """Rosa: a member of Westside Works and an admin of Eastside Jobs, next to another admin."""
    rosa = UserFactory(email="rosa@example.org", name="Rosa Parks")
    Membership.objects.create(user=rosa, organization=westside, title="Job coach")
    Membership.objects.create(user=rosa, organization=eastside, role=ADMIN, title="Director")
    member_of(eastside, ADMIN)
    return rosa


@pytest.fixture
def rosa_client(client, person):
    client.force_login(person)
    return client


def email_row(to: str, kind: str, user: User | None = None) -> OutboxEmail:
    row = outbox.Email(kind=kind, to=to, user=user, subject="Hello", body_text="Hello").row()
    row.save()
    return row


# --- Your organizations ---------------------------------------------------------------


def test_it_lists_the_persons_organizations_with_role_and_title(rosa_client, person):
    OrganizationFactory(name="Southside Futures")
    response = rosa_client.get(reverse("circle:memberships"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Westside Works" in html and "Member · Job coach" in html
    assert "Eastside Jobs" in html and "Admin · Director" in html
    assert "Southside Futures" not in html
    # An admin gets to the organization's management from here.
    assert reverse("circle:manage_profile", args=["eastside-jobs"]) in html
    assert reverse("circle:manage_profile", args=["westside-works"]) not in html


def test_the_only_admin_is_told_to_hand_over_instead_of_a_leave_button(client, westside):
    admin = member_of(westside, ADMIN)
    own = Membership.objects.get(user=admin)
    client.force_login(admin)
    html = client.get(reverse("circle:memberships")).content.decode()

    assert "You are its only admin" in html
    assert reverse("circle:leave", args=[own.pk]) not in html


def test_a_person_leaves_an_organization(rosa_client, person, westside):
    own = Membership.objects.get(user=person, organization=westside)
    page = rosa_client.get(reverse("circle:memberships")).content.decode()
    assert reverse("circle:leave", args=[own.pk]) in page

    response = rosa_client.post(reverse("circle:leave", args=[own.pk]), follow=True)

    assert response.redirect_chain == [(reverse("circle:memberships"), 302)]
    assert "You left Westside Works." in response.content.decode()
    assert list(Membership.objects.filter(user=person).values_list("organization__name")) == [
        ("Eastside Jobs",)
    ]


def test_a_person_cannot_end_someone_elses_membership(rosa_client, westside):
    other = Membership.objects.get(user=member_of(westside), organization=westside)
    response = rosa_client.post(reverse("circle:leave", args=[other.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


# --- Your data ------------------------------------------------------------------------


def test_it_downloads_the_persons_data_as_json(rosa_client, person, westside):
    EmailPreferences.objects.create(
        user=person, digest_frequency="daily", digest_sections_off=["news"]
    )
    email_row("rosa@example.org", "test.welcome", user=person)
    # Sent to the address before the account existed, e.g. the invitation.
    email_row("Rosa@Example.org", "test.invitation")
    stranger = member_of(westside, title="Secret title", user__email="stranger@example.org")
    EmailAddress.objects.create(user=person, email="rosa@work.example.org", verified=False)
    email_row(stranger.email, "test.for-the-stranger", user=stranger)

    response = rosa_client.get(reverse("circle:export_data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="just-opportunity-data-'
    )
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "rosa@example.org"
    assert data["account"]["name"] == "Rosa Parks"
    assert sorted(data["email_addresses"], key=lambda a: a["email"]) == [
        {"email": "rosa@example.org", "verified": True, "primary": True},
        {"email": "rosa@work.example.org", "verified": False, "primary": False},
    ]
    assert sorted((m["organization"], m["role"], m["title"]) for m in data["memberships"]) == [
        ("Eastside Jobs", "admin", "Director"),
        ("Westside Works", "member", "Job coach"),
    ]
    assert data["email_preferences"] == {
        "frequency": "daily",
        "sections_turned_off": ["news"],
        "conversation_emails": True,
        "match_emails": True,
    }
    assert sorted(e["kind"] for e in data["emails_sent_to_you"]) == [
        "test.invitation",
        "test.welcome",
    ]
    body = response.content.decode()
    assert "stranger@example.org" not in body
    assert "Secret title" not in body
    assert "test.for-the-stranger" not in body


def test_the_data_of_a_person_without_preferences_shows_the_defaults(client, db):
    client.force_login(UserFactory())
    data = json.loads(client.get(reverse("circle:export_data")).content)

    assert data["memberships"] == []
    assert data["email_preferences"] == {
        "frequency": EmailPreferences.DEFAULT_FREQUENCY,
        "sections_turned_off": [],
        "conversation_emails": True,
        "match_emails": True,
    }


# --- Deleting your account ------------------------------------------------------------


def test_a_person_deletes_their_account_and_is_signed_out(rosa_client, person, westside):
    EmailPreferences.objects.create(user=person)
    email_row("rosa@example.org", "test.welcome", user=person)
    other = member_of(westside)
    kept = email_row(other.email, "test.welcome", user=other)

    response = rosa_client.post(reverse("circle:delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    assert not EmailAddress.objects.filter(email="rosa@example.org").exists()
    assert not EmailPreferences.objects.filter(user_id=person.pk).exists()
    assert list(OutboxEmail.objects.all()) == [kept]
    # Signed out: their pages now ask to sign in.
    home = rosa_client.get(reverse("home"))
    assert "Your account and your data were deleted." in home.content.decode()
    assert not home.wsgi_request.user.is_authenticated
    assert rosa_client.get(reverse("circle:memberships")).status_code == 302


def test_a_wrong_password_keeps_the_account(rosa_client, person):
    response = rosa_client.post(reverse("circle:delete_account"), {"password": "guess"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["This is not your password."]
    assert User.objects.filter(pk=person.pk).exists()
    assert rosa_client.get(reverse("circle:memberships")).status_code == 200


def test_deleting_the_account_deletes_every_email_the_data_export_listed(rosa_client, person):
    email_row("rosa@example.org", "test.invitation")  # queued before Rosa had an account

    rosa_client.post(reverse("circle:delete_account"), {"password": PASSWORD})

    assert not User.objects.filter(pk=person.pk).exists()
    assert not OutboxEmail.objects.filter(recipient__iexact="rosa@example.org").exists()
