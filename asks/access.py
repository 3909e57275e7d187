"""Who reaches an ask or offer and its conversations, and who may change
or mark it.

- Seeing: `Post.objects.visible_to(viewer)` is the one rule (its in-memory
  twin is `Post.is_visible_to`); a post the viewer may not see answers 404
  everywhere.
- Posting: any member of an active organization posts on its behalf; which
  organization a form acts for is circle/access.py `acting_organization`.
- Responding: members of other organizations; a person who belongs to the
  poster's organization has no "Respond" (403), whatever else they belong to.
- Editing and closing: the post's author (while still in the organization),
  the organization's admins, and staff; others who can see the post get 403.
- Conversations: only the two organizations (and staff) see one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from asks.models import Conversation, Post
from circle.access import can_manage, current_user
from circle.models import Membership, Organization, User
from circle.viewers import Viewer, has_staff_power, viewer_of

FACT_RELATIONS = ("stages", "counties", "expertise")


def viewer(request: HttpRequest) -> Viewer:
    return viewer_of(request.user)


def get_post_for_viewer(request: HttpRequest, pk: int) -> Post:
    """A post the person may see, or 404."""
    try:
        return (
            Post.objects.visible_to(viewer(request))
            .select_related("organization", "author")
            .prefetch_related(*FACT_RELATIONS)
            .get(pk=pk)
        )
    except Post.DoesNotExist:
        raise Http404 from None


def can_edit(user: User | None, post: Post) -> bool:
    if user is None:
        return False
    if has_staff_power(user):
        return True
    if post.organization_id not in viewer_of(user).organization_ids:
        return False
    return post.author_id == user.pk or can_manage(user, post.organization)


def get_post_for_editor(request: HttpRequest, pk: int) -> Post:
    """A post the person may change: 404 if they cannot see it, 403 if they
    can see it but are neither its author nor an admin of its organization."""
    post = get_post_for_viewer(request, pk)
    if not can_edit(current_user(request), post):
        raise PermissionDenied
    return post


def posting_organizations(user: User) -> QuerySet[Organization]:
    """The active organizations a person may post for."""
    return Organization.objects.active().filter(memberships__user=user).order_by("name")


def responding_organizations(user: User, post: Post) -> list[Organization]:
    """The person's organizations that may respond to a post. None at all
    when the person belongs to the poster's organization, even if they are
    in others too: one's own post is answered inside its conversations, and
    a reply "from" a second organization would only be talking to oneself."""
    if Membership.objects.filter(user=user, organization_id=post.organization_id).exists():
        return []
    return list(posting_organizations(user))


def conversation_sides(user: User, post: Post, thread: Conversation) -> list[Organization]:
    """The conversation's organizations the person writes for: theirs among
    the responding one and the poster (both, for someone in both). Staff
    read every conversation but write only for an organization of theirs."""
    ids = viewer_of(user).organization_ids
    return [o for o in (thread.organization, post.organization) if o.pk in ids]


def conversations_for(post: Post, who: Viewer) -> QuerySet[Conversation]:
    return (
        Conversation.objects.visible_to(who)
        .filter(post=post)
        .select_related("organization")
        .order_by("-last_message_at", "-pk")
    )


def get_conversation_for_viewer(request: HttpRequest, post: Post, pk: int) -> Conversation:
    try:
        return conversations_for(post, viewer(request)).get(pk=pk)
    except Conversation.DoesNotExist:
        raise Http404 from None


def may_mark(user: User, post: Post, other: Post) -> bool:
    """Members of the two organizations concerned mark their match; staff too."""
    if has_staff_power(user):
        return True
    ids = viewer_of(user).organization_ids
    return post.organization_id in ids or other.organization_id in ids
