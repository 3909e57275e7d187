"""The stored search document of each resource: a tsvector for matching
(title A; abstract and authors B; the file's text C) and a small one for
ranking (title and abstract), written by one UPDATE."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, QuerySet, Value, When

from justop.pagecache import content_changed
from research.models import Resource
from research.search.generation import new_generation


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


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
    The post_save signal of Resource (research.signals) and the extraction
    task call it; bulk loads call it once."""
    new_generation()
    content_changed("research")
    if not on_postgresql():
        return 0
    return resources.update(search_vector=document_vector(), rank_vector=rank_vector())
