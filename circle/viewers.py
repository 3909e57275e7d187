"""Who is looking: the facts every content visibility rule needs (forums,
research, asks and offers), read once per request.

A rule such as `Resource.objects.visible_to(viewer)` takes a Viewer rather
than a user, so a list page, its facet counts and its snippets share one
membership query instead of each asking again.

Staff power is decided here and nowhere else. A staff account counts as
staff only once this session passed a second factor (an authenticator code,
a recovery code or a passkey); until then it is an ordinary signed-in person
everywhere, its own memberships and nothing more. `StaffPowerMiddleware`
(justop/middleware.py) reads the session and marks the request's user;
code without a session (digests, tasks) never holds staff power.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.authentication import get_authentication_records
from django.db.models import QuerySet
from django.http import HttpRequest

from circle.models import Membership, Organization, User

# Set on the user object of a request by StaffPowerMiddleware.
_STAFF_POWER = "_circle_staff_power"


@dataclass(frozen=True)
class Viewer:
    user: User | None
    is_staff: bool
    # The active organizations the person belongs to.
    organization_ids: frozenset[int]

    @property
    def is_member(self) -> bool:
        """A member of the Circle: staff, or in at least one active organization."""
        return self.is_staff or bool(self.organization_ids)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


ANONYMOUS = Viewer(user=None, is_staff=False, organization_ids=frozenset())


def active_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(
        user=user, organization__status=Organization.Status.ACTIVE
    ).select_related("organization")


def passed_second_factor(request: HttpRequest, user: User) -> bool:
    """Whether this session's sign-in (or a reauthentication since) used a
    second factor, as allauth records it."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def mark_staff_power(request: HttpRequest, user: Any) -> Any:
    """Called once per request with its user: staff power holds only for a
    staff account whose session passed a second factor."""
    if isinstance(user, User) and user.is_authenticated:
        setattr(user, _STAFF_POWER, user.is_staff and passed_second_factor(request, user))
    return user


def has_staff_power(user: Any) -> bool:
    """The rule every staff check outside the admin asks (the admin itself
    is closed to staff without it by StaffPowerMiddleware)."""
    # The mark already holds is_staff; an account made inactive since
    # loses the power at once.
    return isinstance(user, User) and user.is_active and bool(getattr(user, _STAFF_POWER, False))


def digest_viewer(user: User, organization_ids: Iterable[int]) -> Viewer:
    """The Viewer of a person in a batch job (digests): the same facts
    viewer_of reads, loaded for many people at once. No session, so no
    staff power: staff get what their own memberships show."""
    return Viewer(user=user, is_staff=False, organization_ids=frozenset(organization_ids))


def viewer_of(user: Any) -> Viewer:
    """The Viewer of a request's user (or any user); cached on the user object."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_circle_viewer", None)
    if cached is None:
        organization_ids = frozenset(
            active_memberships(user).values_list("organization_id", flat=True)
        )
        cached = Viewer(
            user=user, is_staff=has_staff_power(user), organization_ids=organization_ids
        )
        user._circle_viewer = cached  # type: ignore[attr-defined]
    return cached
