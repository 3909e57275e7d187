"""The board of asks and offers: which posts a member may see that match a
search, a page at a time.

Like the member directory, the search lives in the query string (a URL is a
saved search) and an unknown value is left out with a form error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asks.models import Post
from circle.directory import SIDES_MATCHING, Facets
from circle.models import County, Expertise, Organization, Stage
from circle.viewers import Viewer
from justop.widgets import QuickSelect

PER_PAGE = 20
OPEN = "open"
ALL = "all"


class BoardFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Asks or offers"), required=False, widget=forms.RadioSelect)
    stage = forms.ChoiceField(label=_("Continuum stage"), required=False, widget=QuickSelect)
    county = forms.ChoiceField(label=_("County"), required=False, widget=QuickSelect)
    side = forms.ChoiceField(
        label=_("Side of the continuum"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Posts on both sides are listed under each side."),
    )
    tag = forms.ChoiceField(label=_("Area of expertise"), required=False, widget=QuickSelect)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(OPEN, _("Open posts only")), (ALL, _("All posts, closed ones too"))],
    )

    def __init__(self, data: Mapping[str, Any], facets: Facets) -> None:
        # Open posts are the default, and the form says so.
        data = {key: data.get(key) for key in data}
        data.setdefault("show", OPEN)
        super().__init__(data, auto_id="board-%s", label_suffix="")
        self._choices("kind", _("Both"), Post.Kind.choices)
        self._choices("stage", _("Any stage"), [(s.key, s.localized_name) for s in facets.stages])
        self._choices("county", _("Any county"), [(c.key, c.name) for c in facets.counties])
        self._choices("side", _("Either side"), Organization.Side.choices)
        self._choices("tag", _("Any expertise"), [(e.slug, e.name) for e in facets.expertise])

    def _choices(self, name: str, anything: Any, choices: list[tuple[str, Any]]) -> None:
        field = cast(forms.ChoiceField, self.fields[name])
        field.choices = [("", anything), *choices]

    def filters(self) -> dict[str, str]:
        """The valid filters; a field with an unknown value is left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def board_facets(viewer: Viewer) -> Facets:
    """Stages and counties as in the directory; the areas of expertise of the
    posts the viewer may see (a tag must not reveal a post kept from them).
    Three queries."""
    stages, counties = Stage.objects.all(), County.objects.all()
    used = Post.expertise.through.objects.filter(
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
