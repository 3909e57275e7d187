"""An organization's public page, and the pages its admins manage it from."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from circle import memberships
from circle.access import can_manage, current_user, get_org_for_admin, get_org_for_viewer, is_member
from circle.forms import MemberForm, OrganizationProfileForm
from circle.models import Membership
from justop.bodylimit import accepts_uploads
from justop.images import DEFAULT_MAX_BYTES as MAX_IMAGE_BYTES
from justop.pagecache import visitor_cache
from justop.registry import organization_sections


# Visitors see the profile and what the organization published, not its people.
@visitor_cache(shows=("organizations", "research", "forums"))
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_org_for_viewer(request, slug)
    member = is_member(request.user)
    people = []
    if member:
        people = list(
            organization.memberships.select_related("user").order_by("user__name", "user__email")
        )
    # From the viewer's own membership: the admin of an organization not yet
    # active sees no people list but may manage it.
    manages = can_manage(current_user(request), organization)
    return render(
        request,
        "circle/organization.html",
        {
            "organization": organization,
            "stages": organization.stages.all(),
            "counties": organization.counties.all(),
            "expertise": organization.expertise.all(),
            "people": people,
            "is_member": member,
            "can_manage": manages,
            "sections": organization_sections(request, organization),
        },
    )


@accepts_uploads(max_bytes=MAX_IMAGE_BYTES)
@login_required
def manage_profile(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    form = OrganizationProfileForm(
        request.POST or None, request.FILES or None, instance=access.organization
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The profile is saved."))
        return redirect("circle:manage_profile", slug=slug)
    return render(
        request,
        "circle/manage_profile.html",
        {"organization": access.organization, "access": access, "form": form},
    )


@login_required
def manage_members(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    people = access.organization.memberships.select_related("user").order_by(
        "user__name", "user__email"
    )
    return render(
        request,
        "circle/manage_members.html",
        {"organization": access.organization, "access": access, "people": people},
    )


@login_required
def manage_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    membership: Membership = get_object_or_404(
        access.organization.memberships.select_related("user"), pk=pk
    )
    form = MemberForm(
        request.POST or None, instance=Membership(role=membership.role, title=membership.title)
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        try:
            memberships.remove(membership)
        except memberships.LastAdminError as error:
            messages.error(request, error.messages[0])
            return redirect("circle:manage_member", slug=slug, pk=pk)
        messages.success(
            request,
            _("%(person)s no longer belongs to %(organization)s.")
            % {"person": membership.user, "organization": access.organization.name},
        )
        return redirect("circle:manage_members", slug=slug)
    if request.method == "POST" and form.is_valid():
        try:
            memberships.change_role(
                membership, form.cleaned_data["role"], title=form.cleaned_data["title"]
            )
        except memberships.LastAdminError as error:
            form.add_error("role", error)
        else:
            messages.success(request, _("Saved."))
            return redirect("circle:manage_members", slug=slug)
    return render(
        request,
        "circle/manage_member.html",
        {
            "organization": access.organization,
            "access": access,
            "membership": membership,
            "form": form,
        },
    )
