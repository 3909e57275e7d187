"""What the forums add to the home page, organization pages, the digest and
the sitemap; each applies Forum.objects.visible_to for the person asking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format

from circle.models import Membership, Organization
from circle.viewers import digest_viewer, viewer_of
from forums.models import Forum, ForumInvitation
from justop.digests import Period
from justop.translated import item_texts

HOME_COUNT = 3
DIGEST_AHEAD = timedelta(days=21)
DIGEST_COUNT = 5


def next_on_home(request: HttpRequest) -> dict[str, Any] | None:
    forums = list(
        Forum.objects.visible_to(viewer_of(request.user))
        .filter(status=Forum.Status.PUBLISHED)
        .upcoming()[:HOME_COUNT]
    )
    return {"forums": forums} if forums else None


def hosted_by(request: HttpRequest, organization: Organization) -> dict[str, Any] | None:
    forums = Forum.objects.visible_to(viewer_of(request.user)).filter(hosts=organization)
    upcoming = list(forums.upcoming()[:5])
    past = list(forums.past()[:3])
    if not (upcoming or past):
        return None
    return {"organization": organization, "upcoming": upcoming, "past": past}


def _item(forum: Forum) -> dict[str, str]:
    starts = timezone.localtime(forum.starts_at)
    return item_texts(forum, title="title", summary="summary") | {
        "url": forum.get_absolute_url(),
        "meta": date_format(starts, "DATETIME_FORMAT"),
    }


def upcoming_for_members(
    users: Sequence[Any], period: Period
) -> Mapping[int, list[dict[str, str]]]:
    """Forums starting in the three weeks after the period, for each member,
    among those they may attend: three queries for any number of members
    (the forums, the members' organizations, their invitations).

    Each person's list is the batch's forums filtered by the same facts
    Forum.objects.visible_to reads, through a Viewer built from the batch's
    memberships, so the rule stays the one of the queryset (see
    tests/test_forums_sections.py, which checks them against each other)."""
    forums = list(
        Forum.objects.filter(
            status=Forum.Status.PUBLISHED,
            starts_at__gte=period.end,
            starts_at__lt=period.end + DIGEST_AHEAD,
        ).order_by("starts_at", "pk")
    )
    if not forums or not users:
        return {}
    ids = [u.pk for u in users]
    organizations: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in Membership.objects.filter(
        user_id__in=ids, organization__status=Organization.Status.ACTIVE
    ).values_list("user_id", "organization_id"):
        organizations[user_id].add(org_id)
    invited = set(
        ForumInvitation.objects.filter(forum__in=forums, user_id__in=ids).values_list(
            "user_id", "forum_id"
        )
    )
    result: dict[int, list[dict[str, str]]] = {}
    for user in users:
        viewer = digest_viewer(user, organizations[user.pk])
        items = [_item(f) for f in forums if f.is_visible_to(viewer, (user.pk, f.pk) in invited)]
        if items:
            result[user.pk] = items[:DIGEST_COUNT]
    return result
