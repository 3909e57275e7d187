"""Who left which stream: suppressed addresses are not queued, not sent,
and what they had pending is cancelled."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from justop.models import OutboxEmail, Suppression
from justop.registry import mail_stream

State = OutboxEmail.State


def suppressed_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    wanted = {(email.lower(), stream) for email, stream in pairs}
    if not wanted:
        return set()
    query = Q()
    for stream in {stream for _, stream in wanted}:
        query |= Q(stream=stream, email__in=[e for e, s in wanted if s == stream])
    return {
        (email.lower(), stream)
        for email, stream in Suppression.objects.filter(query).values_list("email", "stream")
    }


def unsubscribe(email: str, stream: str, source: str) -> None:
    """The address gets no more mail of this stream, starting with what is
    already queued."""
    definition = mail_stream(stream)
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email=email.lower(), stream=stream, defaults={"source": source}
        )
        OutboxEmail.objects.filter(
            recipient__iexact=email, stream=stream, state=State.PENDING
        ).update(state=State.CANCELLED, last_error="The recipient unsubscribed from this stream.")
        if definition.on_unsubscribe:
            definition.on_unsubscribe(email.lower())


def resubscribe(email: str, stream: str) -> None:
    """The person asked for this stream again (preferences, double opt-in)."""
    Suppression.objects.filter(email=email.lower(), stream=stream).delete()
