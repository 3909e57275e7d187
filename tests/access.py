"""The pieces of the access matrix (tests/test_access_matrix.py) that the
per-app row modules (tests/access_<app>.py) share: the roles, the objects the
rows point at, and the shapes of the common rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"
# A redirect to give (or set up) a second factor, for staff without one.
SECOND_FACTOR = "second-factor"
ROLES = ("anonymous", "user", "member_a", "admin_a", "member_b", "staff", "staff_unverified")


@dataclass
class World:
    """The objects the rows point at."""

    user: Any
    staff: Any
    # A staff account signed in without a second factor: an ordinary
    # signed-in person until it gives one.
    staff_unverified: Any
    member_a: Any
    admin_a: Any
    member_b: Any
    org_a: Any
    membership_a: Any
    invitation_a: Any
    batch_a: Any
    application: Any
    expertise: Any
    post: Any
    subscriber: Any
    shift: Any
    signup: Any
    group: Any
    staff_totp: Any
    outbox_email: Any
    suppression: Any
    # What the app modules (tests/access_<app>.py) build, by name.
    more: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    anonymous: int | str
    user: int | str
    staff: int | str
    kwargs: Callable[[World], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    # For unnamed patterns: the path to request.
    path: Callable[[World], str] | None = None
    # Organization roles; None means "as a signed-in user without organization".
    member_a: int | str | None = None
    admin_a: int | str | None = None
    member_b: int | str | None = None
    # None means "as a signed-in user without organization".
    staff_unverified: int | str | None = None

    def expected(self, role: str) -> int | str:
        value = getattr(self, role)
        return self.user if value is None else value


def same(status: int | str) -> Row:
    return Row(status, status, status)


def signed_in(status: int | str = 200, **kwargs: Any) -> Row:
    """Pages for any signed-in person."""
    return Row(LOGIN, status, status, **kwargs)


def members_only(**kwargs: Any) -> Row:
    """Pages for members of the Circle (any active organization) and staff."""
    return Row(LOGIN, 403, 200, member_a=200, admin_a=200, member_b=200, **kwargs)


def admins_of_a(status: int = 200, **kwargs: Any) -> Row:
    """Management pages of organization A: its admins and staff. An outsider
    (no organization, or organization B) gets 404; a plain member of A 403."""
    return Row(LOGIN, 404, status, member_a=403, admin_a=status, member_b=404, **kwargs)


def admin_page(staff: int | str = 200, **kwargs: Any) -> Row:
    """Django admin: others are sent to sign in as staff, a staff account
    without its second factor is asked for it."""
    return Row(302, 302, staff, staff_unverified=SECOND_FACTOR, **kwargs)


def staff_page(staff: int | str = 200, **kwargs: Any) -> Row:
    """Staff pages outside the admin: others are refused, a staff account
    without its second factor is asked for it."""
    return Row(LOGIN, 403, staff, staff_unverified=SECOND_FACTOR, **kwargs)


def org_a(w: World, **extra: Any) -> dict[str, Any]:
    return {"slug": w.org_a.slug, **extra}
