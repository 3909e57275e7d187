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
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from circle.models import Membership, Organization, User
from forums.models import Forum, ForumInvitation
from justop import outbox
from justop.models import OutboxEmail
from justop.translated import item_texts

KIND = "forums.invitation"
STREAM = "forum-invitations"
SALT = "forums.invitation"


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
    emails: Iterable[str] = (),
    by: User | None = None,
) -> Invited:
    """Record the invitations (each person once) and queue their emails.
    An address of someone with an account invites that person; any other
    address is invited as it is, and its email links to the invitation page."""
    ids: set[int] = {p.pk for p in people}
    if everyone:
        ids |= set(members_of(None).values_list("pk", flat=True))
    elif organizations := list(organizations):
        ids |= set(members_of(organizations).values_list("pk", flat=True))
    addresses = {e.strip().lower() for e in emails if e.strip()}
    if addresses:
        known = dict(
            User.objects.filter(email__in=addresses, is_active=True).values_list("email", "pk")
        )
        ids |= set(known.values())
        addresses -= set(known)
    with transaction.atomic():
        before = forum.invitations.count()
        ForumInvitation.objects.bulk_create(
            [ForumInvitation(forum=forum, user_id=pk, invited_by=by) for pk in sorted(ids)]
            + [ForumInvitation(forum=forum, email=a, invited_by=by) for a in sorted(addresses)],
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
    invited = forum.invitations.select_related("user").filter(
        Q(user__is_active=True) | Q(user__isnull=True)
    )
    emails = [_email(forum, invitation) for invitation in invited.order_by("pk")]
    with transaction.atomic():
        return len(outbox.queue_many(emails))


def token(invitation: ForumInvitation) -> str:
    """The key of an outside address's invitation page: it names the
    invitation and the address it was sent to."""
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=SALT)


def by_token(forum: Forum, value: str) -> ForumInvitation | None:
    """The outside invitation to this forum the link was made for, or None."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return forum.invitations.filter(
        pk=data["i"], user__isnull=True, email=str(data.get("e", ""))
    ).first()


def _email(forum: Forum, invitation: ForumInvitation) -> outbox.Email:
    user = invitation.user
    if user is None:
        # Without an account the forum's page stays closed to them (404 for
        # an invited-only forum): the link opens their invitation page.
        url = reverse("forums:invitation", args=[forum.slug, token(invitation)])
    else:
        url = forum.get_absolute_url()
    # The forum's title and summary in the language the email is read in
    # (the person's), whoever sends the invitations.
    language = (user.language if user is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        texts = item_texts(forum, forum="title", summary="summary")
    return outbox.Email(
        kind=KIND,
        to=invitation.address,
        user=user,
        language=language,
        stream=STREAM,
        about=forum,
        period="invitation",
        template="forums/emails/invitation",
        context=texts
        | {
            "name": user.get_full_name() if user is not None else "",
            "starts": timezone.localtime(forum.starts_at).isoformat(),
            "ends": timezone.localtime(forum.ends_at).isoformat(),
            "venue": ", ".join(p for p in (forum.venue_name, forum.venue_address) if p),
            "online": bool(forum.online_url),
            "forum_url": outbox.absolute(url),
            # The forum's page asks a signed-out person to sign in and
            # brings them back (circle/signin.py): say so, so it is expected.
            "sign_in_first": user is not None,
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
