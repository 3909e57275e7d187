"""The research library's signal receivers, connected in ResearchConfig.ready."""

from __future__ import annotations

from typing import Any

from research.models import Resource
from research.search import new_generation, refresh_vectors


def refresh_search_document(
    sender: Any, instance: Resource, raw: bool = False, **kwargs: Any
) -> None:
    """The stored search document follows every save of the fields it reads
    (post_save of Resource). A fixture being loaded (raw) is left alone, as
    loaddata never called Resource.save."""
    if raw:
        return
    refresh_vectors(Resource.objects.filter(pk=instance.pk))


def forget_counts(**kwargs: Any) -> None:
    """Start a new generation of cached filter counts (research.search):
    the library changed in a way that does not pass through refresh_vectors."""
    new_generation()
