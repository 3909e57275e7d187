"""The digest's "asks and offers for your organization": open posts that
appeared in the period, that the member may see, and that fit one of their
organizations by the matching score (asks/matching.py).

A batch of members costs nine queries whatever its size: their memberships,
their organizations with three prefetches, the new posts with four.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from asks.matching import Facts, Fit, score
from asks.models import Post
from circle.models import Membership, Organization
from circle.viewers import digest_viewer
from justop.digests import Period
from justop.translated import item_texts

PER_MEMBER = 10


def organization_facts(organization: Organization) -> Facts:
    """An organization as the matching sees it: it fits asks and offers alike."""
    return Facts(
        pk=0,
        kind=None,
        organization_id=organization.pk,
        side=organization.side,
        stage_ids=frozenset(s.pk for s in organization.stages.all()),
        county_ids=frozenset(c.pk for c in organization.counties.all()),
        tag_ids=frozenset(t.pk for t in organization.expertise.all()),
    )


def new_posts(period: Period) -> list[Post]:
    return list(
        Post.objects.open()
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .select_related("organization")
        .prefetch_related("stages", "counties", "expertise", "shared_with")
        .order_by("-created_at", "-pk")
    )


def _item(post: Post, fit: Fit) -> dict[str, str]:
    kind = _("Ask") if post.kind == Post.Kind.ASK else _("Offer")
    # The title and description in the reader's language (the digest runs
    # in it), with title_lang/summary_lang="en" where they fell back.
    texts = item_texts(post, title="title", summary="description")
    return texts | {
        "title": f"{kind}: {texts['title']}",
        "url": post.get_absolute_url(),
        "summary": Truncator(texts["summary"]).words(30),
        "meta": f"{post.organization.name} · {fit.reason}",
    }


def for_members(users: Sequence[Any], period: Period) -> Mapping[int, list[dict[str, str]]]:
    posts = new_posts(period)
    if not posts:
        return {}
    from asks.matching import facts_of

    memberships = Membership.objects.filter(
        user__in=users, organization__status=Organization.Status.ACTIVE
    ).values_list("user_id", "organization_id")
    organizations_of: dict[int, set[int]] = defaultdict(set)
    for user_id, organization_id in memberships:
        organizations_of[user_id].add(organization_id)
    wanted = {pk for ids in organizations_of.values() for pk in ids}
    organizations = {
        org.pk: organization_facts(org)
        for org in Organization.objects.filter(pk__in=wanted).prefetch_related(
            "stages", "counties", "expertise"
        )
    }
    post_facts = [(post, facts_of(post)) for post in posts]
    found: dict[int, list[dict[str, str]]] = {}
    for user in users:
        ids = organizations_of.get(user.pk, set())
        viewer = digest_viewer(user, ids)
        best: list[tuple[int, Post, Fit]] = []
        for post, facts in post_facts:
            if post.organization_id in ids or not post.is_visible_to(viewer):
                continue
            fits = [fit for pk in ids if (fit := score(organizations[pk], facts)) is not None]
            if fits:
                top = max(fits, key=lambda fit: fit.score)
                best.append((top.score, post, top))
        if best:
            best.sort(key=lambda entry: -entry[0])
            found[user.pk] = [_item(post, fit) for _score, post, fit in best[:PER_MEMBER]]
    return found
