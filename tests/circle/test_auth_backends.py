"""One password check per sign-in attempt: a single authentication backend
(allauth's, which also answers permission questions like Django's), with the
ways staff get in and manage passwords still working."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from circle.models import User
from tests.factories import PASSWORD, StaffFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher, writing down each hash it computes: "check"
    for a password compared with a stored one, "hash" for one hashed
    without comparing (what is done for an unknown address, to take the
    same time)."""

    calls: ClassVar[list[str]] = []
    _checking = False

    def verify(self, password: str, encoded: str) -> bool:
        self.calls.append("check")
        self._checking = True  # MD5's verify hashes through encode()
        try:
            return super().verify(password, encoded)
        finally:
            self._checking = False

    def encode(self, password: str, salt: str) -> str:
        if not self._checking:
            self.calls.append("hash")
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings: Any) -> list[str]:
    settings.PASSWORD_HASHERS = ["tests.circle.test_auth_backends.CountingHasher"]
    CountingHasher.calls.clear()
    return CountingHasher.calls


def sign_in(client: Any, login: str, password: str) -> Any:
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_a_wrong_password_costs_one_password_check(client, hashes):
    UserFactory(email="ada@example.org")
    hashes.clear()
    response = sign_in(client, "ada@example.org", "not-my-password-1")
    assert response.status_code == 200  # the page again, with the error
    assert hashes == ["check"]


def test_an_unknown_address_costs_the_same_one_hash(client, hashes):
    response = sign_in(client, "nobody@example.org", "not-my-password-1")
    assert response.status_code == 200
    assert hashes == ["hash"]


def test_the_right_password_still_signs_in(client, hashes):
    person = UserFactory(email="ada@example.org")
    hashes.clear()
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    assert hashes == ["check"]
    assert client.get(reverse("home")).context["user"] == person


def test_permissions_come_from_the_one_backend(db):
    editor = UserFactory()
    editor.user_permissions.add(
        Permission.objects.get(codename="change_newspost", content_type__app_label="news")
    )
    editor = User.objects.get(pk=editor.pk)  # permissions are cached per instance
    assert editor.has_perm("news.change_newspost")
    assert not editor.has_perm("news.delete_newspost")
    assert editor.has_module_perms("news")
    inactive = UserFactory(is_active=False, is_superuser=True)
    assert not inactive.has_perm("news.change_newspost")


def test_staff_reach_the_admin_after_their_second_factor(client):
    staff = StaffFactory()
    sign_in_with_second_factor(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:news_newspost_changelist")).status_code == 200


def test_a_superuser_made_with_createsuperuser_signs_in(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-passphrase-7")
    call_command("createsuperuser", interactive=False, email="Boss@Example.org", verbosity=0)
    boss = User.objects.get(email="boss@example.org")
    assert boss.is_superuser
    # No allauth address row: the account's own email is the login.
    response = sign_in(client, "boss@example.org", "a-long-passphrase-7")
    assert response.status_code == 302
    assert response["Location"] != reverse("account_login")


def test_changepassword_sets_the_password_people_sign_in_with(client, monkeypatch):
    UserFactory(email="ada@example.org")
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass",
        lambda prompt="": "a-new-passphrase-8",
    )
    call_command("changepassword", "ada@example.org", verbosity=0)
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 200
    assert sign_in(client, "ada@example.org", "a-new-passphrase-8").status_code == 302
