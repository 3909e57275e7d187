"""Factories of the news app: posts."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from news.models import NewsPost


class NewsPostFactory(factory.django.DjangoModelFactory):
    """A published post, live since a minute ago."""

    class Meta:
        model = NewsPost

    title = factory.Sequence(lambda n: f"Neighbors build the continuum ({n})")
    slug = factory.Sequence(lambda n: f"neighbors-build-the-continuum-{n}")
    summary = "What happened this month across the Circle."
    body = "Partners met to **plan** the year."
    category = NewsPost.Category.HAPPENINGS
    status = NewsPost.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
