"""The generation of the cached filter counts: any change to the library
starts a new one, and the counts of the old are never read again."""

from __future__ import annotations

from django.core.cache import cache

GENERATION_KEY = "research:facets:generation"


def new_generation() -> None:
    """Forget every cached count (the library changed)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION_KEY, 1, None)
