"""Who reaches a news post: everyone, once it is published and due
(`NewsPost.objects.visible_to(viewer)`, the same rule for every viewer; its
in-memory twin is `NewsPost.is_visible_to`). Anything else answers 404; staff
preview drafts in the admin."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from circle.viewers import viewer_of
from news.models import NewsPost


def get_post_for_reader(request: HttpRequest, slug: str) -> NewsPost:
    return get_object_or_404(NewsPost.objects.visible_to(viewer_of(request.user)), slug=slug)
