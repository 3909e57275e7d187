"""The stored search document of each resource: a tsvector for matching
(titles A; abstracts and authors B; the file's text C) and a small one for
ranking (titles, abstracts and authors), written by one UPDATE.

Each language's columns are read with that language's stemming: the Spanish
title and abstract (title_es, abstract_es) as Spanish, the English ones, the
authors and the file's text as the resource's own language (a resource in
Spanish was often described once, in Spanish, in the English columns).
The columns are named by language: modeltranslation would read `title` as
the active language's column."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, QuerySet, Value, When

from justop.pagecache import content_changed
from justop.translated import TEXT_SEARCH_CONFIGS
from research.models import Resource
from research.search.generation import new_generation

# The text search configuration of each language of the library.
CONFIGS = {language: TEXT_SEARCH_CONFIGS[language] for language in Resource.Language}


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def text_config() -> Case:
    """The text search configuration of each resource's own language."""
    return Case(
        When(language=Resource.Language.SPANISH, then=Value(CONFIGS[Resource.Language.SPANISH])),
        default=Value(CONFIGS[Resource.Language.ENGLISH]),
    )


def rank_vector() -> Any:
    """What ranking reads: the titles (A), the abstracts and authors (B)."""
    own, spanish = text_config(), CONFIGS[Resource.Language.SPANISH]
    return (
        SearchVector("title_en", weight="A", config=own)
        + SearchVector("title_es", weight="A", config=spanish)
        + SearchVector("abstract_en", "authors", weight="B", config=own)
        + SearchVector("abstract_es", weight="B", config=spanish)
    )


def document_vector() -> Any:
    """What matching reads: the same, plus the file's text (C)."""
    return rank_vector() + SearchVector("extracted_text", weight="C", config=text_config())


def refresh_vectors(resources: QuerySet[Resource]) -> int:
    """Recompute the stored search documents of these resources (one UPDATE).
    The post_save signal of Resource (research.signals) and the extraction
    task call it; bulk loads call it once."""
    new_generation()
    content_changed("research")
    if not on_postgresql():
        return 0
    return resources.update(search_vector=document_vector(), rank_vector=rank_vector())
