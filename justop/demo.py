"""Demo people every later seeder builds on."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

STAFF_EMAIL = "staff@example.org"
MEMBER_EMAIL = "member@example.org"
# Known passwords, for development only: production seeding leaves the
# accounts without a usable password (set one with "Forgot password").
DEMO_PASSWORDS = {STAFF_EMAIL: "joc-staff-demo-2026", MEMBER_EMAIL: "joc-member-demo-2026"}


def demo_person(email: str, *, name: str, staff: bool = False, language: str = "en") -> Any:
    user, _created = get_user_model().objects.update_or_create(
        email=email,
        defaults={"name": name, "is_staff": staff, "is_superuser": staff, "language": language},
    )
    if settings.PRODUCTION:
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    elif email in DEMO_PASSWORDS:
        user.set_password(DEMO_PASSWORDS[email])
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_people() -> list[str]:
    demo_person(STAFF_EMAIL, name="Pat Staff", staff=True)
    demo_person(MEMBER_EMAIL, name="Morgan Member")
    if settings.PRODUCTION:
        return [
            f"Staff account: {STAFF_EMAIL}; member account: {MEMBER_EMAIL}",
            "Passwords are not set in production: use 'Forgot password?' on the sign-in page.",
        ]
    return [
        f"Sign in at {settings.SITE_URL}/accounts/login/",
        f"  PSE staff:  {STAFF_EMAIL} / {DEMO_PASSWORDS[STAFF_EMAIL]}"
        "  (the admin asks staff to set up an authenticator app first)",
        f"  Member:     {MEMBER_EMAIL} / {DEMO_PASSWORDS[MEMBER_EMAIL]}",
    ]
