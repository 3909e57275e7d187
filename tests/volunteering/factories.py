"""Factories of the volunteering app: opportunities and their shifts."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from volunteering.models import Opportunity, Shift


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A published volunteer opportunity at a place."""

    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"Westside food pantry ({n})")
    slug = factory.Sequence(lambda n: f"westside-food-pantry-{n}")
    summary = "Sort and pack food for neighbors."
    description = "Sorting and packing, with a short **training** first."
    location = "Atlanta Community Food Bank, 3400 North Desert Dr"
    contact_name = "Volunteer desk"
    contact_email = "volunteer@example.org"
    status = Opportunity.Status.PUBLISHED


class ShiftFactory(factory.django.DjangoModelFactory):
    """A three-hour shift three days ahead."""

    class Meta:
        model = Shift

    opportunity = factory.SubFactory(OpportunityFactory)
    role = "Sorting"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    capacity = 5
