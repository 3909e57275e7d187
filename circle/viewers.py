"""Who is looking: the facts every content visibility rule needs (forums,
research, asks and offers), read once per request.

A rule such as `Resource.objects.visible_to(viewer)` takes a Viewer rather
than a user, so a list page, its facet counts and its snippets share one
membership query instead of each asking again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from circle.access import active_memberships
from circle.models import User


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


def viewer_of(user: Any) -> Viewer:
    """The Viewer of a request's user (or any user); cached on the user object."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_circle_viewer", None)
    if cached is None:
        organization_ids = frozenset(
            active_memberships(user).values_list("organization_id", flat=True)
        )
        cached = Viewer(user=user, is_staff=user.is_staff, organization_ids=organization_ids)
        user._circle_viewer = cached  # type: ignore[attr-defined]
    return cached
