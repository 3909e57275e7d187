"""The HTML pages Django serves while a block runs, in any thread (the live
server's included): each 200 text/html response's content, by method and
path. The browser tests hand them to the Nu HTML Checker (tests/conftest.py); an
htmx fragment goes inside the smallest document that holds it."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.base import BaseHandler

FRAGMENT = (
    '<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
    "<title>Fragment</title></head><body>{html}</body></html>"
)


class Served:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.documents: dict[str, str] = {}

    def add(self, request: Any, response: Any) -> None:
        if response.status_code != 200 or getattr(response, "streaming", False):
            return
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        content = response.content
        if response.get("Content-Encoding") == "gzip":  # justop/compression.py
            content = gzip.decompress(content)
        language = response.get("Content-Language", "")
        html = content.decode("utf-8", errors="replace")
        name = f"{language} {request.method} {request.get_full_path()}"
        if not html.lstrip()[:15].lower().startswith("<!doctype html"):
            # An htmx fragment: checked inside the smallest document that holds it.
            name += " (fragment)"
            html = FRAGMENT.format(language=language or "en", html=html)
        with self._lock:
            self.documents.setdefault(name, html)


@contextmanager
def capturing() -> Iterator[Served]:
    served = Served()
    get_response = BaseHandler.get_response

    def watched(self: BaseHandler, request: Any) -> Any:
        response = get_response(self, request)
        served.add(request, response)
        return response

    BaseHandler.get_response = watched  # type: ignore[method-assign]
    try:
        yield served
    finally:
        BaseHandler.get_response = get_response  # type: ignore[method-assign]
