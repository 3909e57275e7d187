"""Who reaches a volunteer opportunity: everyone, once it is published
(`Opportunity.objects.visible_to(viewer)`, the same rule for every viewer;
its in-memory twin is `Opportunity.is_visible_to`). A sign-up is reached
only through its signed link (volunteering.services.from_token), never by
its number."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from circle.viewers import viewer_of
from volunteering.models import Opportunity


def get_opportunity_for_viewer(request: HttpRequest, slug: str) -> Opportunity:
    return get_object_or_404(Opportunity.objects.visible_to(viewer_of(request.user)), slug=slug)
