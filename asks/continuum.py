"""The continuum map's open asks and offers (circle/continuum.py reads them
through the registry, justop.registry.ContinuumPosts)."""

from __future__ import annotations

from django.db.models import Count

from asks.models import Post
from circle.viewers import Viewer


def open_posts(viewer: Viewer) -> dict[tuple[int, int, str], int]:
    """Open asks and offers per stage, county and kind ("ask" or "offer"),
    of the posts the viewer may see (their one visibility rule). One query."""
    rows = (
        Post.objects.visible_to(viewer)
        .open()
        .order_by()
        .values("stages", "counties", "kind")
        .annotate(n=Count("id", distinct=True))
        .values_list("stages", "counties", "kind", "n")
    )
    return {(stage, county, kind): n for stage, county, kind, n in rows if stage and county}
