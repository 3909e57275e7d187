"""Signing in, the closed sign-up, and the second factor that staff need."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.urls import reverse

from circle.models import User
from tests.factories import PASSWORD, StaffFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def totp_code(user: User) -> str:
    """The code the person's authenticator app shows now."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = authenticator.data["secret"]
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(decrypt(secret), counter))


def test_sign_up_is_closed_and_says_how_to_join(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Membership is by invitation" in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_sign_in_page_does_not_offer_a_sign_up(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in html
    assert "New members receive an invitation" in html


def test_posting_to_sign_up_creates_no_account(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_member_signs_in_with_email_and_password(client):
    person = UserFactory(email="ada@example.org")
    response = client.post(
        reverse("account_login"), {"login": "ADA@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == person


def test_an_unverified_address_cannot_sign_in(client):
    UserFactory(email="new@example.org", verified=False)
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_does_not_reveal_whether_the_account_exists(client):
    UserFactory(email="ada@example.org")
    known = client.post(
        reverse("account_login"), {"login": "ada@example.org", "password": "nope-nope-1"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "who@example.org", "password": "nope-nope-1"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_password_reset_does_not_reveal_whether_the_account_exists(client, mailoutbox):
    UserFactory(email="ada@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "who@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(client):
    UserFactory(email="ada@example.org")
    login = reverse("account_login")
    for i in range(5):
        client.post(login, {"login": "ada@example.org", "password": f"wrong-{i}"})
    response = client.post(login, {"login": "ada@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client):
    staff = StaffFactory(totp=False)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    follow = client.get(response["Location"])
    assert (
        "two-factor authentication before using the administration site" in follow.content.decode()
    )


def test_staff_without_a_second_factor_cannot_reach_any_admin_page(client):
    client.force_login(StaffFactory(totp=False))
    response = client.get(reverse("admin:circle_user_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_staff_with_an_authenticator_reach_admin(client, staff):
    sign_in_with_second_factor(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_signed_in_without_their_code_give_it_before_admin(client, staff):
    """A session that never passed the second factor (signed in some other
    way, or before the authenticator was added) must pass it now."""
    client.force_login(staff)
    response = client.get(reverse("admin:circle_user_changelist") + "?q=ada")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(response["Location"], {"code": totp_code(staff)})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:circle_user_changelist") + "?q=ada"
    assert client.get(response["Location"]).status_code == 200


def test_staff_sign_in_asks_for_the_authenticator_code_before_admin(client):
    staff = StaffFactory(email="staff@example.org")
    response = client.post(
        reverse("account_login"),
        {"login": "staff@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff)})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_page_sends_people_to_the_portal_sign_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_members_who_are_not_staff_are_refused_admin(client, user):
    client.force_login(user)
    assert client.get(reverse("admin:login")).status_code == 403
