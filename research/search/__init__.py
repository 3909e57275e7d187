"""Searching the library: which resources match, ranked, with highlighted
snippets and the counts of each filter, all within what the person may see.

On PostgreSQL a stored tsvector (title A; abstract and authors B; the text of
the file C) with a GIN index finds the matches; a second, small vector (title
and abstract) ranks them with ts_rank; ts_headline writes the snippets. On
SQLite a plain case-insensitive search over the same fields.

A broad search (more than CANDIDATES matches) ranks the newest CANDIDATES
matches only, and its total and filter counts are estimated from a fixed
1-in-SAMPLE_EVERY sample of the visible matches: reading every match of a
word found in most of the library takes far longer than the page may.

Every figure on the page (results, snippets, filter counts) is read from ONE
queryset, ``matching(viewer, filters)``, which starts from
``Resource.objects.visible_to(viewer)``: nothing can be counted or quoted that
the person could not open.

The parts, by concern: the stored vectors (``vectors``) and the generation
of cached counts (``generation``); the form (``forms``); the query, its
candidates and sample (``query``); the filter counts (``facets``); the
snippets (``highlighting``); the page of results (``results``). Callers use
the names below, from here; a test that changes CANDIDATES or SAMPLE_EVERY
sets them on ``research.search.query``, where every part reads them.
"""

from __future__ import annotations

from research.search.facets import (
    FACET_LIMIT,
    FACETS_SECONDS,
    Facets,
    FacetValue,
    Row,
    audience,
    cached_rows,
    counted,
    counted_from_sample,
    estimate,
    facet_counts,
    facet_rows,
)
from research.search.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_QUERY_LENGTH,
    NOT_LISTED,
    SLUG,
    SearchForm,
    ShapedChoice,
)
from research.search.generation import (
    GENERATION_KEY,
    new_generation,
)
from research.search.highlighting import (
    SNIPPET_CHARS,
    SNIPPET_SOURCE_CHARS,
    START,
    STOP,
    highlighted,
    snippets,
)
from research.search.query import (
    CANDIDATES,
    SAMPLE_EVERY,
    AnyOf,
    candidates,
    listed,
    matching,
    newest_first,
    ranked,
    sampled,
    text_query,
    with_ids,
)
from research.search.results import (
    PER_PAGE,
    Results,
    ResultsPaginator,
    search,
)
from research.search.vectors import (
    document_vector,
    on_postgresql,
    rank_vector,
    refresh_vectors,
    text_config,
)

__all__ = [
    "CANDIDATES",
    "FACETS_SECONDS",
    "FACET_LIMIT",
    "FIRST_YEAR",
    "GENERATION_KEY",
    "LAST_YEAR",
    "MAX_QUERY_LENGTH",
    "NOT_LISTED",
    "PER_PAGE",
    "SAMPLE_EVERY",
    "SLUG",
    "SNIPPET_CHARS",
    "SNIPPET_SOURCE_CHARS",
    "START",
    "STOP",
    "AnyOf",
    "FacetValue",
    "Facets",
    "Results",
    "ResultsPaginator",
    "Row",
    "SearchForm",
    "ShapedChoice",
    "audience",
    "cached_rows",
    "candidates",
    "counted",
    "counted_from_sample",
    "document_vector",
    "estimate",
    "facet_counts",
    "facet_rows",
    "highlighted",
    "listed",
    "matching",
    "new_generation",
    "newest_first",
    "on_postgresql",
    "rank_vector",
    "ranked",
    "refresh_vectors",
    "sampled",
    "search",
    "snippets",
    "text_config",
    "text_query",
    "with_ids",
]
