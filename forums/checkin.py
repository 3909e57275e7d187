"""Check-in at the door: find a registrant, mark them present, add walk-ins."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from forums.models import Forum, Registration
from forums.registration import lock

Status = Registration.Status
MAX_RESULTS = 30
# The whole list, a page at a time: a long one stays quick on a phone.
PER_PAGE = 50


def expected(forum: Forum) -> QuerySet[Registration]:
    """Everyone expected or present, by name: the door's list."""
    return forum.registrations.filter(
        Q(status__in=(Status.CONFIRMED, Status.HELD, Status.WAITLISTED)) | Q(attended=True)
    ).order_by("name", "pk")


def find(forum: Forum, q: str) -> QuerySet[Registration]:
    """People expected or present, by words of their name or their email."""
    found = expected(forum)
    for word in q.split()[:5]:
        found = found.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return found.order_by("name", "pk")[:MAX_RESULTS]


def mark(registration: Registration, *, present: bool) -> Registration:
    """Staff see the person at the door (or undo a mistaken tap). Someone
    present takes their place even if they were waiting for one."""
    with transaction.atomic():
        lock(registration.forum)
        registration.refresh_from_db()
        registration.attended = present
        registration.checked_in_at = timezone.now() if present else None
        if present and registration.status in (Status.HELD, Status.WAITLISTED):
            registration.status = Status.CONFIRMED
            registration.confirmed_at = timezone.now()
        registration.save(update_fields=["attended", "checked_in_at", "status", "confirmed_at"])
    return registration


def add_walk_in(
    forum: Forum, *, name: str, email_address: str, organization: str = ""
) -> Registration:
    """Someone who came without registering. A walk-in is there already and
    does not wait for a place; a person registered under the same address is
    checked in instead of counted twice."""
    address = email_address.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        forum = lock(forum)
        existing = forum.registrations.filter(email=address, status__in=Registration.ACTIVE).first()
        if existing is not None:
            existing.status = Status.CONFIRMED
            existing.confirmed_at = existing.confirmed_at or now
            existing.attended = True
            existing.checked_in_at = now
            existing.save(update_fields=["status", "confirmed_at", "attended", "checked_in_at"])
            return existing
        return Registration.objects.create(
            forum=forum,
            name=name.strip(),
            email=address,
            organization_name=organization.strip(),
            status=Status.CONFIRMED,
            confirmed_at=now,
            attended=True,
            checked_in_at=now,
            walk_in=True,
        )


def mark_attended(registrations: QuerySet[Registration]) -> int:
    """The admin's bulk action: everyone selected came."""
    return registrations.update(attended=True, checked_in_at=timezone.now())
