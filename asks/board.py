"""The board of asks and offers: which posts a member may see that match a
search, a page at a time.

Like the member directory, the search lives in the query string (a URL is a
saved search) and an unknown value is left out with a form error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from asks.forms import OPEN, BoardFilterForm
from asks.models import Post
from circle.directory import SIDES_MATCHING, Facets
from circle.models import County, Expertise, Stage
from circle.viewers import Viewer

PER_PAGE = 20


def board_facets(viewer: Viewer) -> Facets:
    """Stages and counties as in the directory; the areas of expertise of the
    posts the viewer may see (a tag must not reveal a post kept from them).
    Three queries."""
    stages, counties = Stage.objects.all(), County.objects.all()
    used = Post.expertise.through.objects.filter(  # type: ignore[attr-defined]
        post__in=Post.objects.visible_to(viewer).values("pk")
    ).values("expertise_id")
    tags = Expertise.objects.filter(pk__in=used).order_by("name")
    return Facets(stages=list(stages), counties=list(counties), expertise=list(tags))


def matching(viewer: Viewer, filters: Mapping[str, str]) -> QuerySet[Post]:
    """The posts the viewer may see matching every filter, newest first."""
    posts = Post.objects.visible_to(viewer)
    if filters.get("show", OPEN) == OPEN:
        posts = posts.open()
    if kind := filters.get("kind"):
        posts = posts.filter(kind=kind)
    if side := filters.get("side"):
        posts = posts.filter(side__in=SIDES_MATCHING[side])
    # Keys are unique and (post, stage) pairs too: at most one row per post.
    if stage := filters.get("stage"):
        posts = posts.filter(stages__key=stage)
    if county := filters.get("county"):
        posts = posts.filter(counties__key=county)
    if tag := filters.get("tag"):
        posts = posts.filter(expertise__slug=tag)
    return posts.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class BoardPage:
    form: BoardFilterForm
    page: Page[Post]

    @property
    def filtered(self) -> bool:
        return bool(set(self.form.filters()) - {"show"})


def search(viewer: Viewer, params: Mapping[str, Any]) -> BoardPage:
    """The board page asked for by a query string (request.GET)."""
    form = BoardFilterForm(params, board_facets(viewer))
    posts = (
        matching(viewer, form.filters())
        .select_related("organization")
        .prefetch_related("stages", "counties", "expertise")
    )
    page = Paginator(posts, PER_PAGE).get_page(params.get("page"))
    return BoardPage(form=form, page=page)
