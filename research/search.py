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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    F,
    Lookup,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Substr
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from circle.directory import search_terms
from circle.models import Organization
from circle.viewers import Viewer
from justop.pagecache import content_changed
from justop.widgets import QuickSelect
from research.models import Resource, Tag, Topic

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
# ts_headline reads the whole text it is given: the snippet comes from the
# abstract and the beginning of the file's text.
SNIPPET_SOURCE_CHARS = 60_000
SNIPPET_CHARS = 240
# Highlight markers no stored text contains (extraction strips control
# characters): the snippet is escaped first, then the markers become <mark>.
START, STOP = "\x02", "\x03"


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- The stored search document ------------------------------------------------------


def text_config() -> Case:
    """The text search configuration of each resource's own language."""
    return Case(
        When(language=Resource.Language.SPANISH, then=Value("spanish")),
        default=Value("english"),
    )


def rank_vector() -> Any:
    """What ranking reads: the title (A), the abstract and authors (B)."""
    config = text_config()
    return SearchVector("title", weight="A", config=config) + SearchVector(
        "abstract", "authors", weight="B", config=config
    )


def document_vector() -> Any:
    """What matching reads: the same, plus the file's text (C)."""
    return rank_vector() + SearchVector("extracted_text", weight="C", config=text_config())


def refresh_vectors(resources: QuerySet[Resource]) -> int:
    """Recompute the stored search documents of these resources (one UPDATE).
    Resource.save and the extraction task call it; bulk loads call it once."""
    new_generation()
    content_changed("research")
    if not on_postgresql():
        return 0
    return resources.update(search_vector=document_vector(), rank_vector=rank_vector())


# --- Filters ---------------------------------------------------------------------------


# The years a filter may name. The library holds nothing older or newer; a
# year outside them is a typo or a probe (year 0 or 10000 cannot even be
# turned into dates to compare with).
FIRST_YEAR, LAST_YEAR = 1900, 2100
# What a topic key, a tag's or an organization's slug may look like (Django's
# SlugField, ASCII only).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# The hostile value itself is not repeated back (a NUL, 5,000 characters).
NOT_LISTED = _("Choose one of the values listed.")


def _slug_of(model: Any, name: str) -> Callable[[str], bool]:
    longest = model._meta.get_field(name).max_length

    def well_formed(value: str) -> bool:
        return len(value) <= longest and SLUG.fullmatch(value) is not None

    return well_formed


def _year(value: str) -> bool:
    return value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR


class ShapedChoice(forms.ChoiceField):
    """A filter whose values are offered only after the search, from the
    counts (SearchForm.offer): a value is checked by its shape, not against
    the values on offer, so a well-formed one naming nothing finds nothing."""

    def __init__(
        self, *, label: Any, valid: Callable[[str], bool], message: Any = NOT_LISTED
    ) -> None:
        # Until offer() fills them from the counts (the library's page shows
        # the form without searching).
        super().__init__(
            label=label,
            required=False,
            widget=QuickSelect,
            choices=[("", _("Any"))],
            error_messages={"invalid_choice": message},
        )
        self.valid = valid

    def valid_value(self, value: Any) -> bool:
        return self.valid(str(value))


def _fixed_choice(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=QuickSelect,
        choices=[("", _("Any")), *choices],
        error_messages={"invalid_choice": NOT_LISTED},
    )


class SearchForm(forms.Form):
    """The search and its filters, from the query string. A value the form
    cannot use (not one of the kinds, a year outside FIRST_YEAR..LAST_YEAR,
    not ASCII digits, a NUL, too long) is left out of the search and the
    field says so, as in the directory and the forum list: a URL is a saved
    search, and a stale or hand-edited one still shows the library."""

    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
        help_text=_("Words from a title, an abstract, an author or the text of a file."),
    )
    kind = _fixed_choice(_("Kind"), Resource.Kind.choices)
    topic = ShapedChoice(label=_("Topic"), valid=_slug_of(Topic, "key"))
    tag = ShapedChoice(label=_("Tag"), valid=_slug_of(Tag, "slug"))
    organization = ShapedChoice(label=_("Organization"), valid=_slug_of(Organization, "slug"))
    year = ShapedChoice(
        label=_("Year"),
        valid=_year,
        message=format_lazy(
            _("Choose a year from {first} to {last}."), first=FIRST_YEAR, last=LAST_YEAR
        ),
    )
    language = _fixed_choice(_("Language"), Resource.Language.choices)

    FILTERS = ("kind", "topic", "tag", "organization", "year", "language")

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data, auto_id="research-%s", label_suffix="")

    def filters(self) -> dict[str, str]:
        """The valid filters."""
        # A bad value is ignored (left out, its field says why), never a 400.
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def offer(self, facets: Facets) -> None:
        """Fill each filter with the values it would leave, with counts (≈
        when estimated); a chosen value stays even when it finds nothing
        now."""
        chosen_values = self.filters()
        for name in self.FILTERS:
            field_ = cast(forms.ChoiceField, self.fields[name])
            values = getattr(facets, name)
            chosen = chosen_values.get(name, "")
            choices: list[tuple[str, str]] = [("", str(_("Any")))]
            choices += [(v.value, v.choice_label) for v in values]
            if chosen and chosen not in {v.value for v in values}:
                choices.append((chosen, f"{chosen} (0)"))
            field_.choices = choices


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


# --- Facets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    estimated: bool = False  # scaled up from the sample

    @property
    def choice_label(self) -> str:
        count = number_format(self.count, force_grouping=True)
        return f"{self.label} (≈{count})" if self.estimated else f"{self.label} ({count})"


@dataclass
class Facets:
    kind: list[FacetValue] = field(default_factory=list)
    topic: list[FacetValue] = field(default_factory=list)
    tag: list[FacetValue] = field(default_factory=list)
    organization: list[FacetValue] = field(default_factory=list)
    year: list[FacetValue] = field(default_factory=list)
    language: list[FacetValue] = field(default_factory=list)


FACET_LIMIT = 30
# One row per count: (facet or "total", value, label, count, estimated).
Row = tuple[str, str, str, int, bool]


def _facet_parts(year: str) -> dict[str, str]:
    """The total and each filter's counts over the matching set ``m``."""
    return {
        "total": "SELECT 'total', '', '', COUNT(*) FROM m",
        "kind": "SELECT 'kind', kind, '', COUNT(*) FROM m GROUP BY kind",
        "language": "SELECT 'language', language, '', COUNT(*) FROM m GROUP BY language",
        "year": f"SELECT 'year', CAST({year} AS TEXT), '', COUNT(*) FROM m GROUP BY {year}",  # noqa: S608
        "topic": """SELECT 'topic', t.key, '', COUNT(*) FROM m
            JOIN research_resource_topics rt ON rt.resource_id = m.id
            JOIN research_topic t ON t.id = rt.topic_id GROUP BY t.key""",
        "tag": f"""SELECT * FROM (SELECT 'tag', g.slug, g.name, COUNT(*) AS n FROM m
            JOIN research_resource_tags rg ON rg.resource_id = m.id
            JOIN research_tag g ON g.id = rg.tag_id
            GROUP BY g.slug, g.name ORDER BY n DESC, g.name LIMIT {FACET_LIMIT}) AS tags""",  # noqa: S608
        "organization": f"""SELECT * FROM (SELECT 'organization', o.slug, o.name, COUNT(*) AS n
            FROM m JOIN research_resource_organizations ro ON ro.resource_id = m.id
            JOIN circle_organization o ON o.id = ro.organization_id
            GROUP BY o.slug, o.name ORDER BY n DESC, o.name LIMIT {FACET_LIMIT})
            AS organizations""",  # noqa: S608
    }


def _facet_sql(matches_sql: str, year: str, names: tuple[str, ...]) -> str:
    """One statement for the total and the counts of the named filters: the
    matching set is computed once (a materialized CTE), then grouped each
    way. Separate queries would each find the matches again, which is most
    of the cost of a search. Only SQL compiled by the ORM (its values stay
    parameters) and constants are put in."""
    parts = _facet_parts(year)
    return f"WITH m AS MATERIALIZED ({matches_sql}) " + " UNION ALL ".join(
        parts[name] for name in names
    )


# Counts are kept for a while per audience (who may see what) and search:
# computing them means reading every match, the most expensive part of a
# broad search. Any change to the library starts a new generation of keys.
FACETS_SECONDS = 600
GENERATION_KEY = "research:facets:generation"


def new_generation() -> None:
    """Forget every cached count (the library changed)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION_KEY, 1, None)


def forget_counts(**kwargs: Any) -> None:
    """A signal receiver: see ResearchConfig.ready."""
    new_generation()


def audience(viewer: Viewer) -> str:
    """Who sees the same library: staff; members of the same organizations;
    members of no organization the rule cares about; everyone else."""
    if viewer.is_staff:
        return "staff"
    if viewer.is_member:
        return "member:" + ",".join(str(i) for i in sorted(viewer.organization_ids))
    return "public"


def _count_rows(resources: QuerySet[Resource], names: tuple[str, ...]) -> list[Row]:
    matches = resources.order_by().values("id", "kind", "language", "published_on")
    try:
        matches_sql, params = matches.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (.none())
        return []
    year = (
        "EXTRACT(YEAR FROM published_on)::int"
        if on_postgresql()
        else "CAST(strftime('%%Y', published_on) AS INTEGER)"
    )
    with connection.cursor() as cursor:
        cursor.execute(_facet_sql(matches_sql, year, names), params)
        return [(name, value, label, count, False) for name, value, label, count in cursor]


def estimate(sampled_count: int) -> int:
    """A count of the sample scaled to the whole, to two significant digits
    (the last ones would be noise)."""
    count = sampled_count * SAMPLE_EVERY
    if count < 100:
        return count
    step = int(10 ** (int(math.log10(count)) - 1))
    return round(count / step) * step


def _estimated(sample_rows: list[Row]) -> list[Row]:
    return [(name, value, label, estimate(n), True) for name, value, label, n, _ in sample_rows]


def counted(
    resources: QuerySet[Resource], names: tuple[str, ...], found: tuple[list[int], bool]
) -> list[Row]:
    """The rows of these resources (limited to what the person may see) for
    the named counts, given their candidates (``candidates(resources)``):
    exact over the candidates when they are all the matches, otherwise
    estimated from the sample."""
    ids, complete = found
    if complete:
        return _count_rows(with_ids(ids), names)
    return _estimated(_count_rows(sampled(resources), names))


def counted_from_sample(resources: QuerySet[Resource], name: str) -> list[Row]:
    """One filter's rows, the sample read first: when it shows well over
    CANDIDATES matches the estimate stands and no candidates are looked for
    (they cost as much again); otherwise as ``counted``."""
    sample = _count_rows(sampled(resources), ("total", name))
    in_sample = sum(count for facet, _, _, count, _ in sample if facet == "total")
    if in_sample * SAMPLE_EVERY <= 2 * CANDIDATES:
        ids, complete = candidates(resources)
        if complete:
            return _count_rows(with_ids(ids), (name,))
    return _estimated([row for row in sample if row[0] == name])


def facet_rows(
    viewer: Viewer, filters: Mapping[str, str], found: tuple[list[int], bool]
) -> list[Row]:
    """The total and every filter's counts. Each filter is counted as if
    its own choice were not made (the other filters and the words apply),
    so choosing a kind still shows how many of the other kinds there are:
    one or two more statements per chosen filter.
    Every set counted starts from ``matching(viewer, ...)``."""
    chosen = tuple(name for name in SearchForm.FILTERS if filters.get(name))
    names = ("total", *(n for n in SearchForm.FILTERS if n not in chosen))
    rows = counted(matching(viewer, filters), names, found)
    for name in chosen:
        others = {key: value for key, value in filters.items() if key != name}
        rows += counted_from_sample(matching(viewer, others), name)
    return rows


def facet_counts(rows: list[Row]) -> tuple[int, Facets]:
    """The total and the filters' values, labelled (one query for the
    topics' names)."""
    labels: dict[str, dict[str, str]] = {
        "kind": {k: str(v) for k, v in Resource.Kind.choices},
        "language": {k: str(v) for k, v in Resource.Language.choices},
        "topic": {t.key: t.localized_name for t in Topic.objects.all()},
    }
    facets = Facets()
    total = 0
    for name, value, label, count, estimated in rows:
        if name == "total":
            total = count
        elif value is not None:
            text = label or labels.get(name, {}).get(value, value)
            getattr(facets, name).append(FacetValue(value, text, count, estimated))
    for values in (facets.kind, facets.language, facets.topic, facets.tag, facets.organization):
        values.sort(key=lambda v: (-v.count, v.label))
    facets.year.sort(key=lambda v: v.value, reverse=True)
    return total, facets


def cached_rows(
    viewer: Viewer, filters: Mapping[str, str], found: tuple[list[int], bool]
) -> list[Row]:
    """facet_rows, kept FACETS_SECONDS for everyone of the same audience
    making the same search, until the library changes. The key names the
    audience and the valid filters, nothing else."""
    search_key = hashlib.sha256(json.dumps(sorted(filters.items())).encode()).hexdigest()[:32]
    key = f"research:facets:{cache.get(GENERATION_KEY, 0)}:{audience(viewer)}:{search_key}"
    rows: list[Row] | None = cache.get(key)
    if rows is None:
        rows = facet_rows(viewer, filters, found)
        cache.set(key, rows, FACETS_SECONDS)
    return rows


# --- Snippets -----------------------------------------------------------------------------


def highlighted(text: str) -> SafeString:
    """Escape the text, then turn the highlight markers into <mark>: only
    <mark> tags the server wrote can reach the page, never markup from a file."""
    safe = str(escape(text))
    return mark_safe(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def _python_snippet(text: str, terms: list[str]) -> str:
    """The SQLite fallback: a window of text around the first word found."""
    lowered = text.casefold()
    positions = [p for t in terms if (p := lowered.find(t.casefold())) >= 0]
    if not positions:
        return ""
    start = max(min(positions) - SNIPPET_CHARS // 3, 0)
    window = text[start : start + SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return ("… " if start else "") + marked + (" …" if start + SNIPPET_CHARS < len(text) else "")


def snippets(ids: list[int], q: str) -> dict[int, SafeString]:
    """Highlighted passages for the resources of one page (one query). The
    ids come from the page of results, so from the visible queryset."""
    terms = search_terms(q)
    if not ids or not terms:
        return {}
    source = Concat(
        "abstract",
        Value("\n"),
        Substr("extracted_text", 1, SNIPPET_SOURCE_CHARS),
        output_field=TextField(),
    )
    rows = Resource.objects.filter(pk__in=ids)
    if on_postgresql():
        query = text_query(q)
        # ts_headline parses all it is given: the abstract alone when it
        # has the words (5 times faster for a page), else with the text.
        found = rows.annotate(
            abstract_document=SearchVector("abstract", config=text_config()),
            snippet=SearchHeadline(
                Case(
                    When(abstract_document=query, then=F("abstract")),
                    default=source,
                    output_field=TextField(),
                ),
                query,
                config=text_config(),
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        ).values_list("pk", "snippet")
        return {pk: highlighted(text) for pk, text in found if text and START in text}
    sources = rows.annotate(source=source).values_list("pk", "source")
    return {pk: highlighted(s) for pk, text in sources if (s := _python_snippet(text, terms))}


# --- The search page ------------------------------------------------------------------------


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
        total = max(total, CANDIDATES + 1)  # more than the candidates, surely
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
