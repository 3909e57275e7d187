"""The total and the counts of each filter, in one statement over the
matching set, exact over the candidates or estimated from the sample, and
cached per audience until the library changes. CANDIDATES and SAMPLE_EVERY
are read from research.search.query when used (tests lower them there)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils.formats import number_format

from circle.viewers import Viewer
from justop.translated import DEFAULT, reading
from research.models import Resource, Topic
from research.search import query
from research.search.forms import SearchForm
from research.search.generation import GENERATION_KEY
from research.search.query import candidates, matching, sampled, with_ids
from research.search.vectors import on_postgresql


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


def _tag_name() -> str:
    """A tag's name in the reader's language, else in English (a column
    name from the settings' languages, never from the request)."""
    language = reading()
    english = f"g.name_{DEFAULT}"
    if language == DEFAULT:
        return english
    return f"COALESCE(NULLIF(g.name_{language}, ''), {english})"


def _facet_parts(year: str) -> dict[str, str]:
    """The total and each filter's counts over the matching set ``m``."""
    tag_name = _tag_name()
    return {
        "total": "SELECT 'total', '', '', COUNT(*) FROM m",
        "kind": "SELECT 'kind', kind, '', COUNT(*) FROM m GROUP BY kind",
        "language": "SELECT 'language', language, '', COUNT(*) FROM m GROUP BY language",
        "year": f"SELECT 'year', CAST({year} AS TEXT), '', COUNT(*) FROM m GROUP BY {year}",  # noqa: S608
        "topic": """SELECT 'topic', t.key, '', COUNT(*) FROM m
            JOIN research_resource_topics rt ON rt.resource_id = m.id
            JOIN research_topic t ON t.id = rt.topic_id GROUP BY t.key""",
        "tag": f"""SELECT * FROM (SELECT 'tag', g.slug, {tag_name} AS label, COUNT(*) AS n
            FROM m JOIN research_resource_tags rg ON rg.resource_id = m.id
            JOIN research_tag g ON g.id = rg.tag_id
            GROUP BY g.slug, {tag_name} ORDER BY n DESC, label LIMIT {FACET_LIMIT}) AS tags""",  # noqa: S608
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
    count = sampled_count * query.SAMPLE_EVERY
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
    if in_sample * query.SAMPLE_EVERY <= 2 * query.CANDIDATES:
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
        "topic": {t.key: t.name for t in Topic.objects.all()},
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
    making the same search in the same language, until the library changes.
    The key names the audience, the language (the words are read as the
    reader's language, the tags named in it) and the valid filters, nothing
    else."""
    search_key = hashlib.sha256(json.dumps(sorted(filters.items())).encode()).hexdigest()[:32]
    generation = cache.get(GENERATION_KEY, 0)
    key = f"research:facets:{generation}:{audience(viewer)}:{reading()}:{search_key}"
    rows: list[Row] | None = cache.get(key)
    if rows is None:
        rows = facet_rows(viewer, filters, found)
        cache.set(key, rows, FACETS_SECONDS)
    return rows
