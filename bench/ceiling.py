"""What the page benchmark (bench/region.py) adds to the portal it serves,
and only there: a ceiling view and a query count on request.

Nothing here is in the project's URLs or settings. bench/wsgi.py applies
``configure()`` before Django is set up, so the portal served by the
benchmark is the production one plus these two pieces.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

# Request header that asks for the count, and response header that gives it.
COUNT_HEADER = "X-Bench-Count-Queries"
QUERIES_HEADER = "X-Bench-Queries"
CEILING_PREFIX = "__ceiling__"
MAX_CEILING_BYTES = 8 * 1024 * 1024


def configure() -> None:
    """Point the settings at the bench URLconf, count queries when asked,
    and collect static files into BENCH_STATIC_ROOT; call before
    django.setup()."""
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    # Outermost, so the count includes what the session and authentication
    # middleware ask the database.
    settings.MIDDLEWARE = ["bench.ceiling.QueryCountMiddleware", *settings.MIDDLEWARE]
    if root := os.environ.get("BENCH_STATIC_ROOT"):
        settings.STATIC_ROOT = root


@functools.lru_cache(maxsize=64)
def _body(size: int) -> bytes:
    return b"x" * size


def ceiling(request: HttpRequest, size: int) -> HttpResponse:
    """A body of `size` bytes from memory, through the same middleware as
    every page: what the server could answer at best for a page that size."""
    return HttpResponse(
        _body(min(size, MAX_CEILING_BYTES)), content_type="text/html; charset=utf-8"
    )


class QueryCountMiddleware:
    """With the COUNT_HEADER request header, counts the SQL statements of the
    request and returns the count in QUERIES_HEADER. Other requests pay one
    dictionary lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.meta_key = "HTTP_" + COUNT_HEADER.upper().replace("-", "_")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.meta_key not in request.META:
            return self.get_response(request)
        from django.db import connection

        count = 0

        def counting(execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response
