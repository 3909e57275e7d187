"""What happens when members post, respond, mark a match or close a post
(who may do each is in asks/access.py).

- Responding: a member of another organization opens a conversation with the
  poster's organization (one per responding organization).
- Each event emails the people concerned through the outbox, keyed by the
  event, so a double click or a retried request sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from asks.models import Conversation, Match, Outcome, Post, PostResponse
from circle.models import Membership, Organization, User
from circle.viewers import Viewer
from justop import outbox

Kind = Post.Kind
Status = Post.Status


# --- Changes -------------------------------------------------------------------------


def close(post: Post, *, status: str, by: User, outcome: Outcome | None = None) -> Post:
    """Close a post, as matched (with what came of it) or not."""
    if status not in (Status.MATCHED, Status.CLOSED):
        raise ValueError(f"A post closes as matched or closed, not {status!r}")
    with transaction.atomic():
        post.status = status
        post.closed_at = timezone.now()
        post.save(update_fields=["status", "closed_at", "updated_at"])
        if status == Status.MATCHED and outcome is not None:
            outcome.post = post
            outcome.recorded_by = by
            outcome.recorded_at = timezone.now()
            Outcome.objects.filter(post=post).delete()
            outcome.save()
    return post


def reopen(post: Post) -> Post:
    post.status = Status.OPEN
    post.closed_at = None
    post.save(update_fields=["status", "closed_at", "updated_at"])
    return post


def close_expired() -> int:
    """Close the posts past their deadline (the hourly beat task). They
    already counted as expired; this makes it their stored status."""
    return Post.objects.past_deadline().update(status=Status.CLOSED, closed_at=timezone.now())


@dataclass(frozen=True)
class Sent:
    response: PostResponse
    conversation: Conversation
    emailed: int


def respond(post: Post, *, organization: Organization, author: User, body: str) -> Sent:
    """A member of another organization writes to the poster's organization:
    their organization's conversation about the post starts or continues."""
    if organization.pk == post.organization_id:
        raise ValueError("An organization replies to its own post inside a conversation.")
    with transaction.atomic():
        conversation, _created = Conversation.objects.get_or_create(
            post=post, organization=organization
        )
        return _write(conversation, organization=organization, author=author, body=body)


def reply(
    conversation: Conversation, *, organization: Organization, author: User, body: str
) -> Sent:
    """A message in an existing conversation, from either of its organizations."""
    if organization.pk not in (conversation.organization_id, conversation.post.organization_id):
        raise ValueError("Only the two organizations of a conversation write in it.")
    with transaction.atomic():
        return _write(conversation, organization=organization, author=author, body=body)


def _write(
    conversation: Conversation, *, organization: Organization, author: User, body: str
) -> Sent:
    post = conversation.post
    response = PostResponse.objects.create(
        conversation=conversation, organization=organization, author=author, body=body
    )
    conversation.last_message_at = response.created_at
    conversation.save(update_fields=["last_message_at"])
    if organization.pk == post.organization_id:
        # The poster's side answered: tell the people of the other
        # organization who wrote in this conversation.
        recipients = list(
            _wanting(
                User.objects.filter(
                    is_active=True,
                    memberships__organization_id=conversation.organization_id,
                    pk__in=conversation.responses.values("author_id"),
                ).distinct(),
                "conversation_emails",
            )
        )
    else:
        recipients = poster_recipients(post, wanting="conversation_emails")
    emails = [
        _email(
            person,
            "circle.post_response",
            about=response,
            template="response",
            context={
                "post": title_for(person, post),
                "kind": post.kind,
                "from_organization": organization.name,
                "from_person": author.get_full_name(),
                "body": body,
                "url": outbox.absolute(conversation.get_absolute_url()),
            },
        )
        for person in recipients
        if person.pk != author.pk
    ]
    return Sent(response, conversation, len(outbox.queue_many(emails)))


def _email(
    person: User,
    kind: str,
    *,
    about: object,
    template: str,
    context: dict[str, object],
    period: str = "",
) -> outbox.Email:
    """A transactional email of asks and offers, in the person's language."""
    return outbox.Email(
        kind=kind,
        to=person.email,
        user=person,
        about=about,
        period=period,
        template=f"asks/emails/{template}",
        context={"name": person.get_short_name(), **context},
    )


def title_for(person: User, post: Post) -> str:
    """The post's title in the person's language, or the English when it has
    none: an email's context is written when it is queued, in the language
    of whoever acted, and read later by someone who may read another."""
    with translation.override(person.language or settings.LANGUAGE_CODE):
        return str(post.title)


def _wanting(people: QuerySet[User], choice: str) -> QuerySet[User]:
    """Leave out who turned this email off on their preferences page
    (circle.EmailPreferences; no row means the default, on)."""
    return people.exclude(**{f"email_preferences__{choice}": False})


def poster_recipients(post: Post, *, wanting: str = "") -> list[User]:
    """The poster's organization: its admins and the post's author, if they
    still belong to it, less who turned off the email `wanting` names. One
    query."""
    people = User.objects.filter(
        is_active=True, memberships__organization_id=post.organization_id
    ).filter(Q(memberships__role=Membership.Role.ADMIN) | Q(pk=post.author_id))
    if wanting:
        people = _wanting(people, wanting)
    return list(people.distinct().order_by("pk"))


def opposite(kind: str) -> str:
    return Kind.OFFER if kind == Kind.ASK else Kind.ASK


def mark_match(post: Post, other: Post, *, state: str, by: User) -> Match:
    """Mark an ask and an offer as in conversation or done, and tell both
    posting organizations (but not the person marking). Marking the same
    state twice sends nothing more."""
    if other.kind != opposite(post.kind) or other.organization_id == post.organization_id:
        raise ValueError("A match is an ask and an offer of two organizations.")
    ask, offer = (post, other) if post.kind == Kind.ASK else (other, post)
    with transaction.atomic():
        match, created = Match.objects.select_for_update().get_or_create(
            ask=ask, offer=offer, defaults={"state": state, "marked_by": by}
        )
        if not created and match.state != state:
            match.state = state
            match.marked_by = by
            match.updated_at = timezone.now()
            match.save(update_fields=["state", "marked_by", "updated_at"])
        emails = []
        for mine, theirs in ((ask, offer), (offer, ask)):
            for person in poster_recipients(mine, wanting="match_emails"):
                if person.pk == by.pk:
                    continue
                emails.append(
                    _email(
                        person,
                        f"circle.match_{match.state}",
                        about=match,
                        period=f"post-{mine.pk}",
                        template="match",
                        context={
                            "state": match.state,
                            "post": title_for(person, mine),
                            "other": title_for(person, theirs),
                            "other_organization": theirs.organization.name,
                            "by": by.get_full_name(),
                            "url": outbox.absolute(reverse("asks:post_matches", args=[mine.pk])),
                        },
                    )
                )
        outbox.queue_many(emails)
    return match


def matches_of(posts: Iterable[Post]) -> dict[tuple[int, int], Match]:
    """The marked matches between these posts and any other, by (ask, offer)."""
    ids = [p.pk for p in posts]
    found = Match.objects.filter(Q(ask_id__in=ids) | Q(offer_id__in=ids))
    return {(m.ask_id, m.offer_id): m for m in found}


def open_posts_of(organization: Organization, who: Viewer) -> QuerySet[Post]:
    """An organization's open posts that the viewer may see."""
    return (
        Post.objects.visible_to(who)
        .open()
        .filter(organization=organization)
        .prefetch_related("stages")
        .order_by("deadline", "-created_at")
    )
