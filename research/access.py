"""Who reaches a resource of the library.

- Seeing: `Resource.objects.visible_to(viewer)` is the one rule (its
  in-memory twin is `Resource.is_visible_to`); a resource the person may not
  see answers 404 on its page, its file and its cover, so a private
  resource's existence is not leaked (a signed-out person is sent to sign
  in first when the resource is published: the link may be theirs).
- Publishing: an organization's admins manage its own resources, drafts
  included, through circle.access.get_org_for_admin.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from circle.models import Organization
from circle.signin import refuse
from circle.viewers import viewer_of
from research.models import Resource, orphaned


def get_resource_for_viewer(request: HttpRequest, slug: str) -> Resource:
    """A resource the person may open; 404 for anything else, but a
    signed-out person is sent to sign in first when it is published."""
    try:
        return Resource.objects.visible_to(viewer_of(request.user)).get(slug=slug)
    except Resource.DoesNotExist:
        # Published, and not of inactive organizations alone (staff only see those).
        reachable = Resource.objects.filter(
            Q(by_pse=True) | ~Q(pk__in=orphaned()), slug=slug, status=Resource.Status.PUBLISHED
        )
        refuse(request, reachable)


def get_resource_to_manage(organization: Organization, pk: int) -> Resource:
    """One of the organization's own resources, for its admins (who reached
    the organization through get_org_for_admin); 404 for another's."""
    return get_object_or_404(organization.research, pk=pk)
