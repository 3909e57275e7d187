import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from circle.models import User
from justop.demo import DEMO_PASSWORDS, MEMBER_EMAIL, STAFF_EMAIL

pytestmark = pytest.mark.django_db


def test_it_prints_how_to_sign_in(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert f"{STAFF_EMAIL} / {DEMO_PASSWORDS[STAFF_EMAIL]}" in out
    assert f"{MEMBER_EMAIL} / {DEMO_PASSWORDS[MEMBER_EMAIL]}" in out


def test_running_it_twice_changes_nothing():
    call_command("seed_demo")
    first = sorted(User.objects.values_list("email", "is_staff"))
    call_command("seed_demo")
    assert sorted(User.objects.values_list("email", "is_staff")) == first
    assert User.objects.filter(is_staff=True).count() == 1


def test_the_demo_member_can_sign_in_with_the_printed_password(client):
    call_command("seed_demo")
    response = client.post(
        reverse("account_login"), {"login": MEMBER_EMAIL, "password": DEMO_PASSWORDS[MEMBER_EMAIL]}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=MEMBER_EMAIL).pk)


def test_it_refuses_production_without_the_explicit_flag(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="Refusing to load demo data in production"):
        call_command("seed_demo")


def test_in_production_it_sets_and_prints_no_password(settings, capsys):
    settings.PRODUCTION = True
    call_command("seed_demo", allow_production=True)
    out = capsys.readouterr().out
    assert DEMO_PASSWORDS[STAFF_EMAIL] not in out
    assert not User.objects.get(email=STAFF_EMAIL).has_usable_password()


def test_it_creates_a_dozen_organizations_with_admins_and_pending_work():
    from circle.models import Invitation, JoinApplication, Membership, Organization

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    active = Organization.objects.active()
    assert active.count() >= 12
    assert len(set(active.values_list("sector", flat=True))) == 6
    for organization in active:
        assert organization.memberships.filter(role=Membership.Role.ADMIN).exists()
        assert organization.stages.exists() and organization.counties.exists()
    member = User.objects.get(email=MEMBER_EMAIL)
    assert Membership.objects.filter(user=member, role=Membership.Role.ADMIN).exists()
    assert Invitation.objects.filter(accepted_at=None, revoked_at=None).count() >= 2
    assert JoinApplication.objects.filter(status="pending").count() >= 2
