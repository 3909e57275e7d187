"""Where an organization's admins publish research for their organization."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from circle.access import (
    acting_on_management_page,
    get_org_for_admin,
    remember_acting_organization,
    signed_in_person,
)
from justop.bodylimit import accepts_uploads
from justop.images import DEFAULT_MAX_BYTES as MAX_IMAGE_BYTES
from research import files
from research.access import get_resource_to_manage
from research.forms import ResourceForm
from research.publishing import save_resource


@login_required
def manage_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    # The organization's own resources, drafts included: its admins manage them.
    resources = access.organization.research.order_by("-updated_at", "-pk").defer(
        "extracted_text", "search_vector", "rank_vector"
    )
    return render(
        request,
        "research/manage_list.html",
        {"organization": access.organization, "resources": resources},
    )


# The file and its cover.
@accepts_uploads(max_bytes=lambda: files.max_bytes() + MAX_IMAGE_BYTES)
@login_required
def manage_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    organization = access.organization
    resource = get_resource_to_manage(organization, pk) if pk is not None else None
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        person = signed_in_person(request)
        extra = {} if resource else {"created_by": person}
        saved = save_resource(form, tags=form.tags(), organization=organization, **extra)
        remember_acting_organization(person, organization)
        messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
        return redirect("research:manage_list", slug=organization.slug)
    return render(
        request,
        "research/manage_form.html",
        {
            "organization": organization,
            "form": form,
            "resource": resource,
            # A resource stays with its organization: switching is for new ones.
            "acting": acting_on_management_page(request, access) if resource is None else None,
        },
    )
