"""Factories of the forums' tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from forums.models import AgendaItem, Forum, ForumInvitation, Registration


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Forum on good jobs {n}")
    slug = factory.Sequence(lambda n: f"forum-{n}")
    summary = "Members and neighbors on the continuum of opportunity."
    description = "We meet to **plan** together."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue_name = "PSE Offices"
    venue_address = "50 Hurt Plaza SE, Atlanta, GA"
    online_url = "https://meet.example.org/secret-room"
    audience = Forum.Audience.PUBLIC
    capacity = 10
    status = Forum.Status.PUBLISHED
    contact_email = "forums@example.org"

    @factory.post_generation
    def hosts(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.hosts.set(extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    forum = factory.SubFactory(ForumFactory)
    time = factory.LazyFunction(lambda: timezone.localtime().time().replace(hour=18, minute=0))
    title = "Welcome"
    speakers = "Pat Staff"


def invite(forum: Forum, user) -> ForumInvitation:
    return ForumInvitation.objects.create(forum=forum, user=user)


def registered(forum: Forum, user=None, *, email: str = "", **kwargs) -> Registration:
    """A confirmed registration made directly (not through the services)."""
    now = timezone.now()
    defaults = {
        "name": user.get_full_name() if user else "Guest Person",
        "email": (user.email if user else email) or "guest@example.org",
        "status": Registration.Status.CONFIRMED,
        "email_confirmed_at": now,
        "confirmed_at": now,
    }
    defaults.update(kwargs)
    return Registration.objects.create(forum=forum, user=user, **defaults)
