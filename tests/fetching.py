"""A guard against N+1 queries: while it is on, reading a related object or
a deferred field that the query did not load raises FieldFetchBlocked
(Django 6.1's FETCH_RAISE fetch mode) instead of running one more query."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import django.db.models.query as query
from django.db.models.fetch_modes import FETCH_RAISE


@contextlib.contextmanager
def lazy_loads_raise() -> Iterator[None]:
    """Every queryset made inside starts in FETCH_RAISE (QuerySet reads the
    module's DEFAULT_FETCH_MODE when it is created)."""
    previous = query.DEFAULT_FETCH_MODE
    query.DEFAULT_FETCH_MODE = FETCH_RAISE
    try:
        yield
    finally:
        query.DEFAULT_FETCH_MODE = previous
