"""The snippets of a page of results: ts_headline on PostgreSQL, a window
of text on SQLite, escaped, with only the server's own <mark> tags."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchVector
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from circle.directory import search_terms
from justop.translated import reading
from research.models import Resource
from research.search.query import text_query
from research.search.vectors import CONFIGS, on_postgresql, text_config

# ts_headline reads the whole text it is given: the snippet comes from the
# abstract and the beginning of the file's text.
SNIPPET_SOURCE_CHARS = 60_000
SNIPPET_CHARS = 240
# Highlight markers no stored text contains (extraction strips control
# characters): the snippet is escaped first, then the markers become <mark>.
START, STOP = "\x02", "\x03"


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


def _abstract() -> tuple[Any, Any]:
    """The abstract the reader reads (their language's, else the English)
    and the text search configuration it is written in."""
    own = text_config()
    if reading() == Resource.Language.ENGLISH:
        return Coalesce(F("abstract_en"), Value(""), output_field=TextField()), own
    spanish = Resource.Language.SPANISH
    has_spanish = ~Q(abstract_es=None) & ~Q(abstract_es="")
    abstract = Case(
        When(has_spanish, then=F("abstract_es")),
        default=Coalesce(F("abstract_en"), Value(""), output_field=TextField()),
        output_field=TextField(),
    )
    config = Case(When(has_spanish, then=Value(CONFIGS[spanish])), default=own)
    return abstract, config


def snippets(ids: list[int], q: str) -> dict[int, SafeString]:
    """Highlighted passages for the resources of one page (one query), from
    the abstract in the reader's language and the file's text. The ids come
    from the page of results, so from the visible queryset."""
    terms = search_terms(q)
    if not ids or not terms:
        return {}
    abstract, config = _abstract()
    source = Concat(
        abstract,
        Value("\n"),
        Substr("extracted_text", 1, SNIPPET_SOURCE_CHARS),
        output_field=TextField(),
    )
    rows = Resource.objects.filter(pk__in=ids).alias(reader_abstract=abstract)
    if on_postgresql():
        query = text_query(q)
        # ts_headline parses all it is given: the abstract alone when it
        # has the words (5 times faster for a page), else with the text.
        # (The abstract's config reads the file's text too: the file of a
        # resource with a Spanish abstract may be English; the words are
        # still found, only stemmed less well.)
        found = rows.annotate(
            abstract_document=SearchVector("reader_abstract", config=config),
            snippet=SearchHeadline(
                Case(
                    When(abstract_document=query, then=F("reader_abstract")),
                    default=source,
                    output_field=TextField(),
                ),
                query,
                config=config,
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
