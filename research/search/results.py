"""The search page: the results a query string asks for, as one person
sees them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.safestring import SafeString

from circle.viewers import Viewer
from research.models import Resource
from research.search import query
from research.search.facets import Facets, cached_rows, facet_counts
from research.search.forms import SearchForm
from research.search.highlighting import snippets
from research.search.query import candidates, listed, matching, ranked, with_ids

PER_PAGE = 20


class ResultsPaginator(Paginator):  # type: ignore[type-arg]
    """Pages through the ranked candidates while ``count`` says how many
    resources match in all (estimated above CANDIDATES)."""

    def __init__(self, object_list: Any, per_page: int, *, total: int, listed: int) -> None:
        super().__init__(object_list, per_page)
        self.count = total
        self.listed = listed

    @property
    def num_pages(self) -> int:
        return max(math.ceil(min(self.count, self.listed) / self.per_page), 1)


@dataclass(frozen=True)
class Results:
    form: SearchForm
    page: Page[Resource]
    facets: Facets
    snippets: dict[int, SafeString]
    q: str
    # True when the total and the filter counts are estimates (more than
    # CANDIDATES matches); the list then holds the newest CANDIDATES, ranked.
    estimated: bool = False

    @property
    def filtered(self) -> bool:
        return bool(self.form.filters())


def search(viewer: Viewer, params: Mapping[str, Any]) -> Results:
    """The page of results a query string asks for, as this person sees it."""
    form = SearchForm(params)
    filters = form.filters()
    found = matching(viewer, filters)
    q = filters.get("q", "")
    ids, complete = first = candidates(found)
    total, facets = facet_counts(cached_rows(viewer, filters, first))
    if not complete:
        total = max(total, query.CANDIDATES + 1)  # more than the candidates, surely
    # The ids come from the visible queryset: ranking them needs neither
    # the visibility rule nor the words again.
    shown = with_ids(ids)
    paginator = ResultsPaginator(listed(ranked(shown, q)), PER_PAGE, total=total, listed=len(ids))
    page = paginator.get_page(params.get("page"))
    form.offer(facets)
    listed_page: list[Resource] = list(page.object_list)
    page.object_list = listed_page
    found_snippets = snippets([r.pk for r in listed_page], q)
    for resource in listed_page:
        resource.search_snippet = found_snippets.get(resource.pk)  # type: ignore[attr-defined]
    return Results(
        form=form, page=page, facets=facets, snippets=found_snippets, q=q, estimated=not complete
    )
