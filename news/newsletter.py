"""The newsletter: double opt-in subscribers and the weekly public digest.

The newsletter is the public digest of justop/digests.py: the sections'
for_public() content of the last week, sent to confirmed subscribers with
one-click unsubscribe (stream "newsletter")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from justop import outbox
from justop.digests import WEEKLY, Period, public_digest_sections
from news.models import Subscriber

STREAM = "newsletter"
SALT = "news.newsletter.confirm"
CONFIRM_FOR = 7 * 24 * 3600
BATCH = 1000


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=SALT, compress=True)


def subscriber_from_token(token: str) -> Subscriber | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=CONFIRM_FOR)
        return Subscriber.objects.get(pk=data["s"], email=data["e"])
    except (signing.BadSignature, KeyError, TypeError, Subscriber.DoesNotExist):
        return None


def subscribe(email: str, language: str) -> None:
    """Ask the address to confirm. Says nothing about whether it was already
    subscribed (the page answers the same), but a subscribed address is not
    asked again."""
    email = email.strip().lower()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"language": language}
        )
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return
        subscriber.status = Subscriber.Status.PENDING
        subscriber.language = language
        subscriber.save(update_fields=["status", "language"])
        outbox.queue(
            outbox.Email(
                kind="news.newsletter_confirm",
                to=email,
                # Each request is its own email (the page limits how often).
                about=f"once:{uuid.uuid4().hex}",
                language=language,
                template="news/emails/newsletter_confirm",
                context={
                    "url": outbox.absolute(
                        reverse("news:newsletter_confirm", args=[confirm_token(subscriber)])
                    )
                },
            )
        )


def confirm(subscriber: Subscriber) -> None:
    with transaction.atomic():
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
        # They asked for it again: an earlier one-click unsubscribe is lifted.
        outbox.resubscribe(subscriber.email, STREAM)


# One link to leave per address per hour, however often it is asked for:
# the hour is part of the email's outbox key.
LEAVE_LINK_EVERY = 3600


def send_leave_link(email: str, now: datetime | None = None) -> bool:
    """Email a confirmed subscriber, in their language, the link to the page
    that takes them off the newsletter with one button (the same link as the
    one-click link of every issue). Nothing goes to an address that is not
    subscribed or that left the stream. Returns whether an email was queued.

    Runs in a worker, not in the request that asked for it, so that the
    request does the same work whatever the address (views_newsletter)."""
    subscriber = Subscriber.objects.filter(
        email__iexact=email.strip(), status=Subscriber.Status.CONFIRMED
    ).first()
    if subscriber is None or outbox.suppressed_pairs([(subscriber.email, STREAM)]):
        return False
    window = int((now or timezone.now()).timestamp() // LEAVE_LINK_EVERY)
    queued = outbox.queue(
        outbox.Email(
            kind="news.newsletter_leave",
            to=subscriber.email,
            about=subscriber,
            period=f"hour:{window}",
            language=subscriber.language,
            template="news/emails/newsletter_leave",
            context={"url": outbox.unsubscribe_url(subscriber.email, STREAM)},
        )
    )
    return queued is not None


def mark_unsubscribed(email: str) -> None:
    """What leaving the newsletter stream means here (one click or the page)."""
    Subscriber.objects.filter(email__iexact=email).exclude(
        status=Subscriber.Status.UNSUBSCRIBED
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())


@dataclass(frozen=True)
class NewsletterRun:
    period: str
    subscribers: int
    queued: int


def send_newsletter(now: datetime | None = None) -> NewsletterRun:
    """The last complete week's newsletter to every confirmed subscriber, in
    their language, once per week whoever runs it how often."""
    period = Period.last_complete(WEEKLY, now)
    sections: dict[str, list[dict[str, object]]] = {}
    subscribers = queued = 0
    last_pk = 0
    while True:
        batch = list(
            Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED, pk__gt=last_pk).order_by(
                "pk"
            )[:BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        subscribers += len(batch)
        emails = []
        for subscriber in batch:
            if subscriber.language not in sections:
                sections[subscriber.language] = public_digest_sections(period, subscriber.language)
            parts = sections[subscriber.language]
            if not parts:
                continue
            emails.append(
                outbox.Email(
                    kind="news.newsletter",
                    to=subscriber.email,
                    stream=STREAM,
                    period=period.key,
                    language=subscriber.language,
                    template="emails/digest",
                    context=period.context() | {"name": "", "sections": parts},
                )
            )
        queued += len(outbox.queue_many(emails))
    return NewsletterRun(period=period.key, subscribers=subscribers, queued=queued)
