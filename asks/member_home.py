"""The asks and offers' section of the member home, per organization of the
person: new posts of other organizations that fit its open asks and offers
(with the matching's reason, asks/matching.py), and the conversations
waiting for its reply (the other side wrote last).

Ten queries whatever the number of posts and conversations: the
organization's open posts and the new candidates, each with three
prefetches, the conversations with their last writer, and the
organizations' names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.http import HttpRequest

from asks.matching import FACT_RELATIONS, Fit, facts_of, rank
from asks.models import Conversation, Post, PostResponse
from circle.access import current_user
from circle.models import Organization
from circle.viewers import viewer_of
from circle.visits import previous_visit

PER_ORGANIZATION = 5
# New posts considered for matching, newest first: a visit after a long
# absence still costs the same.
CANDIDATES = 200
CONVERSATIONS = 50


@dataclass
class ForOrganization:
    organization: Organization
    matches: list[tuple[Post, Post, Fit]] = field(default_factory=list)
    waiting: list[Conversation] = field(default_factory=list)


def new_matches(
    organization_ids: frozenset[int], viewer: Any, since: datetime
) -> dict[int, list[tuple[Post, Post, Fit]]]:
    """(our post, their new post, fit) per organization, best first."""
    ours = list(
        Post.objects.filter(organization_id__in=organization_ids)
        .open()
        .prefetch_related(*FACT_RELATIONS)
    )
    if not ours:
        return {}
    theirs = list(
        Post.objects.visible_to(viewer)
        .open()
        .filter(created_at__gt=since)
        .exclude(organization_id__in=organization_ids)
        .select_related("organization")
        .prefetch_related(*FACT_RELATIONS)
        .order_by("-created_at", "-pk")[:CANDIDATES]
    )
    by_pk = {post.pk: post for post in theirs}
    candidate_facts = [facts_of(post) for post in theirs]
    # Each new post once per organization, with the organization's post it
    # fits best.
    best: dict[tuple[int, int], tuple[Post, Fit]] = {}
    for post in ours:
        for other, fit in rank(facts_of(post), candidate_facts):
            key = (post.organization_id, other.pk)
            if key not in best or fit.score > best[key][1].score:
                best[key] = (post, fit)
    found: dict[int, list[tuple[Post, Post, Fit]]] = {}
    for (organization_id, other_pk), (post, fit) in best.items():
        found.setdefault(organization_id, []).append((post, by_pk[other_pk], fit))
    return {
        pk: sorted(rows, key=lambda r: (-r[2].score, -r[1].created_at.timestamp(), -r[1].pk))[
            :PER_ORGANIZATION
        ]
        for pk, rows in found.items()
    }


def waiting_for_reply(
    organization_ids: frozenset[int], viewer: Any
) -> dict[int, list[Conversation]]:
    """Conversations of the organizations whose last message came from the
    other side, per organization that owes the reply, latest first."""
    last_writer = Subquery(
        PostResponse.objects.filter(conversation=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("organization_id")[:1]
    )
    conversations = (
        Conversation.objects.visible_to(viewer)
        .annotate(last_writer_id=last_writer)
        .filter(last_writer_id__isnull=False)
        .filter(
            Q(post__organization_id__in=organization_ids)
            & ~Q(last_writer_id=F("post__organization_id"))
            | Q(organization_id__in=organization_ids) & ~Q(last_writer_id=F("organization_id"))
        )
        .select_related("post", "post__organization", "organization")
        .order_by("-last_message_at", "-pk")[:CONVERSATIONS]
    )
    found: dict[int, list[Conversation]] = {}
    for conversation in conversations:
        poster = conversation.post.organization_id
        wrote_last = getattr(conversation, "last_writer_id")  # noqa: B009 (annotated above)
        owes = conversation.organization_id if wrote_last == poster else poster
        if owes in organization_ids and len(found.get(owes, [])) < PER_ORGANIZATION:
            found.setdefault(owes, []).append(conversation)
    return found


def for_my_organizations(request: HttpRequest) -> dict[str, Any] | None:
    user = current_user(request)
    if user is None:
        return None
    viewer = viewer_of(user)
    ids = viewer.organization_ids
    if not ids:
        return None
    matches = new_matches(ids, viewer, previous_visit(request))
    waiting = waiting_for_reply(ids, viewer)
    shown = set(matches) | set(waiting)
    if not shown:
        return None
    groups = [
        ForOrganization(org, matches.get(org.pk, []), waiting.get(org.pk, []))
        for org in Organization.objects.filter(pk__in=shown).order_by("name")
    ]
    return {"groups": groups, "several": len(ids) > 1}
