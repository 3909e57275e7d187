"""Who may see and do what in the Circle: the one place views ask.

- A member is a person with a membership in an active organization; PSE
  staff count as members everywhere, once their session passed a second
  factor (circle/viewers.py holds that rule).
- Tenant pages (/orgs/<slug>/manage/...) reach their organization only
  through get_org_for_admin: someone outside the organization gets 404 (its
  existence is not leaked), a member without the admin role gets 403.
- A signed-out person asking for something that exists but is not for
  visitors (a members-only forum, an organization-only resource, an
  applicant organization's page) is sent to sign in and back
  (circle/signin.py `refuse`); signed in and still not allowed: 404.
- An inactive organization is managed by staff only: its own admins get
  403, told why (they know it exists; its people still see its page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from circle.models import Membership, Organization, User
from circle.signin import SignInRequired, refuse
from circle.viewers import active_memberships, has_staff_power, viewer_of

__all__ = ["SignInRequired", "active_memberships", "refuse"]


def current_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def signed_in_person(request: HttpRequest) -> User:
    """The person of a login_required view."""
    user = current_user(request)
    if user is None:
        raise PermissionDenied
    return user


def is_member(user: Any) -> bool:
    """Staff (with their second factor), or a person belonging to an active
    organization: the Viewer's answer, cached with it on the user object."""
    return viewer_of(user).is_member


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Members-only pages: anonymous → sign in, signed in but not a member → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


_NOT_LOADED: Any = object()


def can_manage(
    user: User | None, organization: Organization, membership: Membership | None = _NOT_LOADED
) -> bool:
    """The one rule of who manages an organization (its pages, invitations,
    research and posts): staff with staff power; or an admin of it, unless it
    is inactive (then only staff act for it). ``membership``: the person's
    membership of it, when already loaded (None: they have none)."""
    if user is None:
        return False
    if has_staff_power(user):
        return True
    if organization.status == Organization.Status.INACTIVE:
        return False
    if membership is _NOT_LOADED:
        membership = Membership.objects.filter(user=user, organization=organization).first()
    return membership is not None and membership.is_admin


@dataclass(frozen=True)
class OrgAccess:
    organization: Organization
    membership: Membership | None  # the person's own, None for staff outside it
    can_manage: bool


def _access(request: HttpRequest, slug: str) -> OrgAccess | None:
    user = current_user(request)
    if user is None:
        return None
    try:
        organization = Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        return None
    staff = has_staff_power(user)
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if membership is None and not staff:
        return None
    # A deactivated organization keeps its page for its own people, but
    # nobody acts for it any more: only staff manage it.
    return OrgAccess(organization, membership, can_manage(user, organization, membership))


def get_org_for_admin(request: HttpRequest, slug: str) -> OrgAccess:
    """The organization of a management page. Outsiders: 404; members
    without the admin role: 403. Anonymous people never get here
    (login_required comes first)."""
    access = _access(request, slug)
    if access is None:
        raise Http404
    if not access.can_manage:
        if access.organization.status == Organization.Status.INACTIVE:
            # Said on the 403 page itself (base.html shows messages): its
            # admin should learn why the page they used is closed now.
            messages.error(
                request,
                _(
                    "%(organization)s is no longer active in the Circle: only PSE staff "
                    "can change it, invite people or publish for it."
                )
                % {"organization": access.organization.name},
            )
        raise PermissionDenied
    return access


def get_org_for_viewer(request: HttpRequest, slug: str) -> Organization:
    """The organization of a public profile page: an active organization for
    anyone; an applicant or inactive one only for its own members and staff."""
    try:
        organization = Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise Http404 from None
    if organization.status != Organization.Status.ACTIVE and _access(request, slug) is None:
        # A visitor may be one of its people, signed out: sign in first.
        refuse(request, Organization.objects.filter(pk=organization.pk))
    return organization


# --- Acting for an organization -------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The organization a person acts for in a form, and the others they
    could act for instead (its submit buttons name each: "Post as …")."""

    organization: Organization
    others: tuple[Organization, ...]

    @property
    def choices(self) -> tuple[Organization, ...]:
        return (self.organization, *self.others)


def acting_organization(
    user: User, choices: Iterable[Organization], requested: str | None = None
) -> Acting | None:
    """The one rule of which organization a person acts for, among those the
    form allows (``choices``, e.g. their active organizations but not the
    poster's): the one whose page they came from (``requested``, its slug,
    from ``?org=``), else the one they chose last (``User.acting_organization``,
    remembered by `remember_acting_organization`), else the first. A slug
    or a remembered organization that is not among the choices is passed
    over: the person no longer belongs to it, or may not act for it here.
    None when there is no choice at all."""
    options = list(choices)
    if not options:
        return None
    chosen = next((o for o in options if requested and o.slug == requested), None)
    if chosen is None:
        chosen = next((o for o in options if o.pk == user.acting_organization_id), options[0])
    return Acting(chosen, tuple(o for o in options if o.pk != chosen.pk))


def requested_organization(request: HttpRequest) -> str | None:
    """The slug of the organization a page was asked to act for: ``?org=``,
    carried from the organization's page the person came from. (A form's
    choice itself is its ``organization`` field, checked by the form.)"""
    value = request.GET.get("org")
    return value[:100] if isinstance(value, str) and value else None


def remember_acting_organization(user: User, organization: Organization) -> None:
    """Remember the organization a person just acted for, for their next form
    on any device. Writes only when it changed."""
    if user.acting_organization_id != organization.pk:
        User.objects.filter(pk=user.pk).update(acting_organization=organization)
        user.acting_organization = organization


def administered_organizations(user: User) -> list[Organization]:
    """The active organizations a person is an admin of: those whose
    management pages (research, invitations) they may switch to."""
    return list(
        Organization.objects.active()
        .filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)
        .order_by("name")
    )


def acting_on_management_page(request: HttpRequest, access: OrgAccess) -> Acting:
    """On a management page (publishing research, inviting) the URL names
    the organization acted for; the others are the organizations the person
    also manages, to switch to. Remembered once they act."""
    person = signed_in_person(request)
    others = [o for o in administered_organizations(person) if o.pk != access.organization.pk]
    return Acting(access.organization, tuple(others))
