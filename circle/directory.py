"""The member directory: which active organizations match a search, a page at a time.

The search is read from the query string, so a URL is a saved search: the
same URL shows the same filters and the same results. A value the directory
does not know (a stale bookmark, a hand-edited link) is left out with a form
error instead of failing the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from circle.forms import DirectoryFilterForm
from circle.models import County, Expertise, Organization, Stage
from justop.translated import DEFAULT as DEFAULT_LANGUAGE
from justop.translated import TEXT_SEARCH_CONFIGS, reading

PER_PAGE = 20
# Every word of a search adds a condition to the query; past a handful of
# words a longer search narrows nothing more and only costs the database.
MAX_TERMS = 8

Side = Organization.Side

# An organization serving both sides serves each of them: it belongs in the
# results for "supply" and for "demand". "Both" asks for the ones doing both.
SIDES_MATCHING: dict[str, tuple[str, ...]] = {
    Side.SUPPLY: (Side.SUPPLY, Side.BOTH),
    Side.DEMAND: (Side.DEMAND, Side.BOTH),
    Side.BOTH: (Side.BOTH,),
}


@dataclass(frozen=True)
class Facets:
    """The values each filter offers."""

    stages: list[Stage]
    counties: list[County]
    expertise: list[Expertise]


def load_facets() -> Facets:
    """One query per list, whatever the number of organizations."""
    return Facets(
        stages=list(Stage.objects.all()),
        counties=list(County.objects.all()),
        # Expertise is a free tag: offer only tags that would find someone.
        expertise=list(
            Expertise.objects.filter(organization__status=Organization.Status.ACTIVE).distinct()
        ),
    )


def search_terms(q: str) -> list[str]:
    terms: list[str] = []
    for word in q.split():
        if word.casefold() not in (t.casefold() for t in terms):
            terms.append(word)
    return terms[:MAX_TERMS]


def matching(filters: Mapping[str, str]) -> QuerySet[Organization]:
    """Active organizations matching every filter, by name. Each word of the
    search must appear in the name, or in the mission, the description or an
    area of expertise as the reader reads them (circle/directory.py
    `word_matches`)."""
    organizations = Organization.objects.active()
    languages = reading_languages()
    if on_postgresql():
        organizations = organizations.alias(
            **{f"text_{language}": text_document(language) for language in languages}
        )
    for term in search_terms(filters.get("q", "")):
        organizations = organizations.filter(word_matches(term, languages))
    if sector := filters.get("sector"):
        organizations = organizations.filter(sector=sector)
    if side := filters.get("side"):
        organizations = organizations.filter(side__in=SIDES_MATCHING[side])
    # (organization, stage) pairs are unique and keys are unique, so these
    # joins match at most one row per organization: no duplicates.
    if stage := filters.get("stage"):
        organizations = organizations.filter(stages__key=stage)
    if county := filters.get("county"):
        organizations = organizations.filter(counties__key=county)
    if expertise := filters.get("expertise"):
        organizations = organizations.filter(expertise__slug=expertise)
    return organizations.order_by("name", "pk")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reading_languages() -> tuple[str, ...]:
    """The versions of the content the reader reads: a Spanish page shows the
    Spanish, and the English where there is none; an English page, English."""
    language = reading()
    return (language,) if language == DEFAULT_LANGUAGE else (language, DEFAULT_LANGUAGE)


def text_document(language: str) -> SearchVector:
    """The mission and the description in one language, stemmed as that language."""
    return SearchVector(
        f"mission_{language}", f"description_{language}", config=TEXT_SEARCH_CONFIGS[language]
    )


def word_matches(term: str, languages: tuple[str, ...]) -> Q:
    """Where one word of a search may be: in the name (any part of it, any
    language), or in the mission, description or an area of expertise in
    one of the reader's languages. On PostgreSQL the word also matches as
    its language stems it, "empleo" finding "empleos"; a word read in each
    language's own configuration, since a Spanish stem means nothing to an
    English document. Substrings still match, so "appren" finds
    "apprenticeships" as before. Exists rather than a join on expertise,
    which would repeat an organization once per matching tag."""
    tagged = Organization.expertise.through.objects.filter(organization_id=OuterRef("pk"))  # type: ignore[attr-defined]
    found = Q(name__icontains=term)
    for language in languages:
        found |= Q(**{f"mission_{language}__icontains": term})
        found |= Q(**{f"description_{language}__icontains": term})
        found |= Q(Exists(tagged.filter(**{f"expertise__name_{language}__icontains": term})))
        if on_postgresql():
            words = SearchQuery(term, config=TEXT_SEARCH_CONFIGS[language])
            tag = SearchVector(f"expertise__name_{language}", config=TEXT_SEARCH_CONFIGS[language])
            found |= Q(**{f"text_{language}": words})
            found |= Q(Exists(tagged.alias(tag=tag).filter(tag=words)))
    return found


@dataclass(frozen=True)
class DirectoryPage:
    form: DirectoryFilterForm
    facets: Facets
    page: Page[Organization]

    @property
    def filtered(self) -> bool:
        return bool(self.form.filters())


def search(params: Mapping[str, Any]) -> DirectoryPage:
    """The directory page asked for by a query string (request.GET)."""
    facets = load_facets()
    form = DirectoryFilterForm(params, facets)
    organizations = matching(form.filters()).prefetch_related("stages", "counties", "expertise")
    # get_page turns a missing, malformed or too large page number into a real page.
    page = Paginator(organizations, PER_PAGE).get_page(params.get("page"))
    return DirectoryPage(form=form, facets=facets, page=page)
