"""Inviting people to a forum: all members of the Circle, the members of
chosen organizations, or chosen people.

Staff choose whom; the invitations are recorded at once (they open an
invited-only forum to those people) and the emails are queued by a Celery
task, one per person whatever the number of runs: the outbox's idempotency
key (kind, address, forum) makes a second run queue nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from circle.models import Membership, Organization, User
from forums.models import Forum, ForumInvitation
from justop import outbox
from justop.models import OutboxEmail

KIND = "forums.invitation"
STREAM = "forum-invitations"


@dataclass(frozen=True)
class Invited:
    people: int  # invited by this call (people invited before are not counted)


def members_of(organizations: Iterable[Organization] | None) -> QuerySet[User]:
    """Active people in active organizations (all of them, or of these)."""
    memberships = Membership.objects.filter(organization__status=Organization.Status.ACTIVE)
    if organizations is not None:
        memberships = memberships.filter(organization__in=list(organizations))
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))


def invite(
    forum: Forum,
    *,
    everyone: bool = False,
    organizations: Iterable[Organization] = (),
    people: Iterable[User] = (),
    by: User | None = None,
) -> Invited:
    ids: set[int] = {p.pk for p in people}
    if everyone:
        ids |= set(members_of(None).values_list("pk", flat=True))
    elif organizations := list(organizations):
        ids |= set(members_of(organizations).values_list("pk", flat=True))
    with transaction.atomic():
        before = forum.invitations.count()
        ForumInvitation.objects.bulk_create(
            [ForumInvitation(forum=forum, user_id=pk, invited_by=by) for pk in sorted(ids)],
            ignore_conflicts=True,
            batch_size=1000,
        )
        added = forum.invitations.count() - before
        transaction.on_commit(lambda: enqueue(forum.pk))
    return Invited(people=added)


def enqueue(forum_id: int) -> None:
    send_invitations_task.delay(forum_id)


def send_invitations(forum_id: int) -> int:
    """Queue the invitation email of everyone invited to the forum who has
    not been emailed it yet. Returns the number queued."""
    forum = Forum.objects.filter(pk=forum_id, status=Forum.Status.PUBLISHED).first()
    if forum is None or forum.starts_at <= timezone.now():
        return 0
    invited = forum.invitations.select_related("user").filter(user__is_active=True)
    emails = [_email(forum, invitation.user) for invitation in invited.order_by("pk")]
    with transaction.atomic():
        return len(outbox.queue_many(emails))


def _email(forum: Forum, user: User) -> outbox.Email:
    return outbox.Email(
        kind=KIND,
        to=user.email,
        user=user,
        stream=STREAM,
        about=forum,
        period="invitation",
        template="forums/emails/invitation",
        context={
            "name": user.get_full_name(),
            "forum": forum.title,
            "summary": forum.summary,
            "starts": timezone.localtime(forum.starts_at).isoformat(),
            "ends": timezone.localtime(forum.ends_at).isoformat(),
            "venue": ", ".join(p for p in (forum.venue_name, forum.venue_address) if p),
            "online": bool(forum.online_url),
            "forum_url": outbox.absolute(forum.get_absolute_url()),
        },
    )


def progress(forum: Forum) -> dict[str, int]:
    """Invitation emails of the forum by state (pending, sending, sent,
    failed, cancelled), read from the outbox, plus the people invited."""
    rows = (
        OutboxEmail.objects.filter(kind=KIND, object_ref=f"{forum._meta.label_lower}:{forum.pk}")
        .values("state")
        .annotate(n=Count("pk"))
    )
    counts = {state: 0 for state in OutboxEmail.State.values}
    counts |= {row["state"]: row["n"] for row in rows}
    counts["invited"] = forum.invitations.count()
    return counts


# The task sits beside the service it runs: forums.tasks re-exports it for
# the worker's autodiscovery, and this module never imports forums.tasks.
@shared_task(name="forums.tasks.send_invitations", ignore_result=True)
def send_invitations_task(forum_id: int) -> int:
    return send_invitations(forum_id)
