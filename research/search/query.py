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
from justop.translated import reading
from research.models import Resource, Tag, Topic
from research.search.vectors import CONFIGS, on_postgresql


def _queries(q: str) -> dict[str, SearchQuery]:
    """The person's words as a tsquery per language of the library, each
    stemmed as that language."""
    words = " ".join(search_terms(q))
    if not words:
        return {}
    return {
        language: SearchQuery(words, search_type="websearch", config=config)
        for language, config in CONFIGS.items()
    }


def text_query(q: str) -> Any:
    """The person's words stemmed as English OR Spanish: what snippets
    highlight and ties are ranked by, among resources already found."""
    queries = list(_queries(q).values())
    if not queries:
        return None
    either = queries[0]
    for other in queries[1:]:
        either |= other
    return either


def reader_query(q: str) -> Any:
    """The person's words stemmed as the language they read the page in."""
    return _queries(q).get(reading())


def words_match(q: str) -> Q | None:
    """Which resources have the words: read in the reader's language, in
    every column (a Spanish search finds "empleos" in the Spanish abstract
    of an English report), and in each resource's own language (an English
    reader still finds a Spanish report by its Spanish words). So "empleo"
    read as English does not find the English report by its Spanish
    abstract: English searches English."""
    queries = _queries(q)
    if not queries:
        return None
    reader = reading()
    found = Q(search_vector=queries[reader])
    for language, query in queries.items():
        if language != reader:
            found |= Q(language=language, search_vector=query)
    return found


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
        if (found := words_match(q)) is not None:
            resources = resources.filter(found)
    else:
        # Every language's columns, by name (modeltranslation would read
        # `title` as the active language's only).
        for term in search_terms(q):
            resources = resources.filter(
                Q(title_en__icontains=term)
                | Q(title_es__icontains=term)
                | Q(abstract_en__icontains=term)
                | Q(abstract_es__icontains=term)
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
    The rank reads the small rank_vector: a word in a title counts most,
    then the abstracts and authors; a match in the file's text alone ranks
    after them, newest first. Words matched as the reader's language come
    first (a Spanish reader's "empleo" in a Spanish abstract before the
    English word "empleo" in a title), then any."""
    query = text_query(q) if on_postgresql() else None
    if query is None:
        return newest_first(resources)
    vector = F("rank_vector")
    return resources.annotate(
        reader_rank=SearchRank(vector, reader_query(q)), rank=SearchRank(vector, query)
    ).order_by("-reader_rank", "-rank", "-published_on", "-pk")


def sampled(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """The fixed 1-in-SAMPLE_EVERY sample of these resources (the same
    condition as the partial indexes of migration 0005)."""
    return resources.alias(sample_bucket=F("pk") % SAMPLE_EVERY).filter(sample_bucket=0)


def listed(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """What a list of resources shows, in a fixed number of queries."""
    return resources.defer("extracted_text", "search_vector", "rank_vector").prefetch_related(
        "topics", "organizations"
    )
