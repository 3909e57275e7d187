"""Which resources match: the visible ones that pass every filter and the
words; the newest CANDIDATES of them, ranked; the 1-in-SAMPLE_EVERY sample
that broad searches count from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import BigIntegerField, F, Lookup, Q, QuerySet, Value

from circle.directory import search_terms
from circle.models import Organization
from circle.viewers import Viewer
from research.models import Resource, Tag, Topic
from research.search.vectors import on_postgresql


def text_query(q: str) -> Any:
    """The person's words as a tsquery, stemmed as English OR Spanish (the
    library holds both and people search in either)."""
    words = " ".join(search_terms(q))
    if not words:
        return None
    english = SearchQuery(words, search_type="websearch", config="english")
    spanish = SearchQuery(words, search_type="websearch", config="spanish")
    return english | spanish


def matching(viewer: Viewer, filters: Mapping[str, str]) -> QuerySet[Resource]:
    """What this person may see that matches every filter (valid ones, as
    SearchForm.filters gives them), unordered."""
    resources = Resource.objects.visible_to(viewer)
    if kind := filters.get("kind"):
        resources = resources.filter(kind=kind)
    if language := filters.get("language"):
        resources = resources.filter(language=language)
    if year := filters.get("year"):
        resources = resources.filter(published_on__year=int(year))
    # Exists-style filters through the link tables: no repeated rows. The
    # value is looked up first: the planner then filters by a known id, and a
    # value that names nothing finds nothing at once, instead of a plan that
    # reads every resource to find none (over a second at 100,000).
    links: list[tuple[str, Any, str, Any, str]] = [
        ("topic", Resource.topics.through, "topic_id", Topic, "key"),
        ("tag", Resource.tags.through, "tag_id", Tag, "slug"),
        ("organization", Resource.organizations.through, "organization_id", Organization, "slug"),
    ]
    for name, through, column, model, key in links:
        if value := filters.get(name):
            found = model.objects.filter(**{key: value}).values_list("pk", flat=True).first()
            if found is None:
                return resources.none()
            linked = through.objects.filter(**{column: found}).values("resource_id")
            resources = resources.filter(pk__in=linked)
    q = filters.get("q", "")
    if on_postgresql():
        if (query := text_query(q)) is not None:
            resources = resources.filter(search_vector=query)
    else:
        for term in search_terms(q):
            resources = resources.filter(
                Q(title__icontains=term)
                | Q(abstract__icontains=term)
                | Q(authors__icontains=term)
                | Q(extracted_text__icontains=term)
            )
    return resources


# How many matches are ranked, at most: the newest ones. More would mean
# reading (and ranking) every match of a broad search.
CANDIDATES = 500
# Above CANDIDATES matches, the counts come from the rows whose id is a
# multiple of SAMPLE_EVERY, scaled up. Migration 0005's partial indexes hold
# exactly these rows (its condition must stay the same as ``sampled``'s).
SAMPLE_EVERY = 50


def newest_first(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    return resources.order_by("-published_on", "-pk")


def candidates(resources: QuerySet[Resource]) -> tuple[list[int], bool]:
    """The ids of the newest CANDIDATES of these resources (one query), and
    whether that is all of them. Walking the newest-first index and stopping
    costs the same whether the word is in 1,000 resources or 100,000."""
    ids = list(newest_first(resources).values_list("pk", flat=True)[: CANDIDATES + 1])
    return ids[:CANDIDATES], len(ids) <= CANDIDATES


class AnyOf(Lookup):
    """``lhs = ANY(rhs)``, rhs an array."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def with_ids(ids: list[int]) -> QuerySet[Resource]:
    """These resources, by id. On PostgreSQL the ids go as one array
    (``id = ANY(...)``): hundreds of placeholders cost more to write, send
    and plan than the rest of the query."""
    if not on_postgresql():
        return Resource.objects.filter(pk__in=ids)
    array = Value(ids, output_field=ArrayField(BigIntegerField()))
    return Resource.objects.filter(AnyOf(F("pk"), array))


def ranked(resources: QuerySet[Resource], q: str) -> QuerySet[Resource]:
    """Best matches first when there are words (PostgreSQL), newest otherwise.
    The rank reads the small rank_vector: a word in the title counts most,
    then the abstract and authors; a match in the file's text alone ranks
    after them, newest first."""
    query = text_query(q) if on_postgresql() else None
    if query is None:
        return newest_first(resources)
    return resources.annotate(rank=SearchRank(F("rank_vector"), query)).order_by(
        "-rank", "-published_on", "-pk"
    )


def sampled(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """The fixed 1-in-SAMPLE_EVERY sample of these resources (the same
    condition as the partial indexes of migration 0005)."""
    return resources.alias(sample_bucket=F("pk") % SAMPLE_EVERY).filter(sample_bucket=0)


def listed(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """What a list of resources shows, in a fixed number of queries."""
    return resources.defer("extracted_text", "search_vector", "rank_vector").prefetch_related(
        "topics", "organizations"
    )
