"""Compressed pages: Django's GZipMiddleware (which pads its output with
random bytes against BREACH) for what the portal writes itself, HTML,
feeds, calendars, JSON and CSV, and nothing else. Files keep their own
encoding: a download answering a byte range (206) or a file that is already
compressed (PDF, images, Office files) goes out as it is, and WhiteNoise
serves the static files, precompressed, before this middleware sees them.

The page cache stores pages before they are compressed (its decorator runs
inside the view), so one cached copy serves every Accept-Encoding; the
middleware adds ``Vary: Accept-Encoding`` for the caches downstream."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = (
    "text/html",
    "text/plain",
    "text/csv",
    "text/calendar",
    "application/json",
    "application/ld+json",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
)


class PageGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if response.status_code != 200 or content_type not in COMPRESSED_TYPES:
            return response
        compressed: HttpResponseBase = super().process_response(request, response)
        return compressed
