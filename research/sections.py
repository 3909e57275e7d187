"""What the library adds to the home page, organization pages and digests,
each through the library's one visibility rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.text import Truncator

from circle.models import Membership, Organization
from circle.viewers import digest_viewer, viewer_of
from justop.digests import Period
from justop.translated import shown
from research.models import Resource
from research.search import listed
from research.templatetags.research_text import language_of

ON_HOME = 3
ON_ORGANIZATION = 5
IN_DIGEST = 10


def recent_on_home(request: HttpRequest) -> dict[str, Any] | None:
    visible = Resource.objects.visible_to(viewer_of(request.user))
    resources = list(listed(visible.order_by("-published_on", "-pk"))[:ON_HOME])
    return {"resources": resources} if resources else None


def recent_of_organization(
    request: HttpRequest, organization: Organization
) -> dict[str, Any] | None:
    visible = Resource.objects.visible_to(viewer_of(request.user))
    resources = list(
        listed(visible.filter(organizations=organization).order_by("-published_on", "-pk"))[
            :ON_ORGANIZATION
        ]
    )
    return {"resources": resources, "organization": organization} if resources else None


def _item(resource: Resource) -> dict[str, str]:
    # Each text marked with the language it is really in, as on the pages.
    texts = {
        "title": shown(resource, "title").text,
        "title_lang": language_of(resource, "title"),
        "summary": Truncator(shown(resource, "abstract").text).words(40),
        "summary_lang": language_of(resource, "abstract"),
    }
    return texts | {
        "url": resource.get_absolute_url(),
        "meta": f"{resource.get_kind_display()} · {resource.published_on.year}",
    }


def new_for_members(users: Sequence[Any], period: Period) -> dict[int, list[dict[str, str]]]:
    """Resources added to the library in the period, for each member: only
    those the member may open. Three queries per batch: the candidates, their
    publishing organizations, the members' organizations."""
    candidates = list(
        Resource.objects.published()
        .filter(published_at__gte=period.start, published_at__lt=period.end)
        .defer("extracted_text", "search_vector", "rank_vector")
        .prefetch_related("organizations")
        .order_by("-published_at", "-pk")[: IN_DIGEST * 20]
    )
    if not candidates:
        return {}
    publishers = {r.pk: {o.pk for o in r.organizations.all()} for r in candidates}
    organizations: dict[int, set[int]] = defaultdict(set)
    for user_id, organization_id in Membership.objects.filter(
        user__in=[u.pk for u in users], organization__status=Organization.Status.ACTIVE
    ).values_list("user_id", "organization_id"):
        organizations[user_id].add(organization_id)
    digest: dict[int, list[dict[str, str]]] = {}
    for user in users:
        # The same facts viewer_of reads, for a whole batch at once.
        viewer = digest_viewer(user, organizations[user.pk])
        items = [
            _item(r)
            for r in candidates
            if r.is_visible_to(viewer, publishers[r.pk]) and r.status == Resource.Status.PUBLISHED
        ][:IN_DIGEST]
        if items:
            digest[user.pk] = items
    return digest
