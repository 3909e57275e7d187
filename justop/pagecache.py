"""Public pages as visitors see them, kept in the cache (Redis in
deployments) and answered with conditional GET.

Only requests that carry no session can be served from the cache: a visitor
with no cookie other than the CSRF and language ones. Everyone else, and
every response that sets a cookie or is not a plain 200, goes the normal way.

A cached page is stored with its per-request parts taken out, the CSP nonce
and the CSRF tokens, and each hit gets fresh ones, so no two visitors share a
nonce or a token. The entry also carries the content version it was built
under. Saving or deleting any row of a content app, or calling
`content_changed()` after a bulk update, draws a new version: every cached
page is out of date at once, including under a worker or another web
process, since the version lives in the same cache. Pages that change with
the clock alone (an upcoming forum becoming past) are bounded by
`PAGE_CACHE_SECONDS`.

Each process also keeps the version it last read, for a second, and the
pages it served most, so a hit usually needs no round trip to the cache: a
change made in this process shows at once, one made elsewhere (another web
process, a worker) within that second.

The weak ETag names the stored page, not the bytes of one response, so a
browser that revalidates gets 304 while nothing changed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

log = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
KEY_PREFIX = "pagecache:page:"
NONCE_MARK = "\x00csp-nonce\x00"
TOKEN_MARK = "\x00csrf-token\x00"  # noqa: S105 (a placeholder)
# A masked CSRF token as Django writes it into pages.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# Rows of these apps are what public pages show.
CONTENT_APPS = ("circle", "forums", "research", "news")

View = Callable[..., HttpResponse]


def neutral_cookie_names() -> set[str]:
    """Cookies that do not change what a visitor sees (the language is part
    of the key, the CSRF token is filled in per request)."""
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def enabled() -> bool:
    return bool(settings.PAGE_CACHE_SECONDS > 0)


def is_visitor_request(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and set(request.COOKIES) <= neutral_cookie_names()


class _Local:
    """What this process last read from the shared cache: the version, for
    at most LOCAL_SECONDS, and the most used pages. A hit then needs no round
    trip to Redis (which was half the cost of a hit); a change made by another
    process is seen within LOCAL_SECONDS, one made by this one at once."""

    SIZE = 200

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: tuple[float, str] | None = None
        self.pages: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get_version(self) -> str | None:
        held = self.version
        return held[1] if held is not None and held[0] > time.monotonic() else None

    def set_version(self, version: str) -> None:
        self.version = (time.monotonic() + LOCAL_SECONDS, version)

    def get_page(self, key: str, version: str) -> dict[str, Any] | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry["version"] != version or entry["expires"] < time.time():
                return None
            self.pages.move_to_end(key)
            return entry

    def set_page(self, key: str, entry: dict[str, Any]) -> None:
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > self.SIZE:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.version = None
            self.pages.clear()


LOCAL_SECONDS = 1.0
_local = _Local()


def forget_local() -> None:
    """Drop what this process holds (tests clear the shared cache too)."""
    _local.clear()


def current_version() -> str:
    version = _local.get_version()
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        # Lost or never set: a new value, so no older entry can match it.
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY)
    _local.set_version(str(version))
    return str(version)


def _bump() -> None:
    version = secrets.token_hex(8)
    _local.set_version(version)
    try:
        cache.set(VERSION_KEY, version, None)
    except Exception:  # a cache outage must not fail the write that caused it
        log.exception("could not invalidate the page cache")


def content_changed(**kwargs: Any) -> None:
    """Every cached page is out of date. Called by the signals below and by
    code that changes content with bulk queries (no signal).

    Bumped now, so this request and any read inside the transaction see it,
    and again on commit, so a page built from the old rows by another
    request while this transaction ran is not kept under the new version."""
    _bump()
    transaction.on_commit(_bump)


def _page_key(request: HttpRequest) -> str:
    parts = "\n".join(
        [
            request.get_host(),
            request.get_full_path(),
            get_language() or "",
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
        ]
    )
    return KEY_PREFIX + hashlib.sha256(parts.encode()).hexdigest()


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _template_of(request: HttpRequest, body: str) -> str:
    """The page with this request's nonce and CSRF tokens replaced by marks."""
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # evaluated: the page used it
        body = body.replace(str(nonce), NONCE_MARK)
    secret = request.META.get("CSRF_COOKIE")
    if secret and "csrf" in body.lower():

        def mark(match: re.Match[str]) -> str:
            token = match.group(0)
            return TOKEN_MARK if _unmask_cipher_token(token) == secret else token

        body = _TOKEN.sub(mark, body)
    return body


def _fill(request: HttpRequest, template: str) -> str:
    if NONCE_MARK in template:
        template = template.replace(NONCE_MARK, str(request._csp_nonce))  # type: ignore[attr-defined]
    if TOKEN_MARK in template:
        template = template.replace(TOKEN_MARK, get_token(request))
    return template


def _digest(version: str, template: str) -> str:
    return hashlib.sha256((version + template).encode()).hexdigest()


def _etag(request: HttpRequest, digest: str) -> str:
    """The stored page as this browser holds it. The CSRF secret is part of
    it: a copy whose tokens belong to an older cookie (rotated at sign-in)
    must be replaced, not revalidated, or its forms would fail."""
    secret = request.META.get("CSRF_COOKIE") or ""
    return 'W/"' + hashlib.sha256((digest + secret).encode()).hexdigest()[:32] + '"'


def _not_modified(etag: str, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    for name in ("Cache-Control", "Vary", "Content-Language"):
        if name in headers:
            response[name] = headers[name]
    # The browser keeps the page it has, with that page's nonce: a new policy
    # merged into its stored headers would block its scripts.
    response._csp_config = None  # type: ignore[attr-defined]
    response._csp_ro_config = None  # type: ignore[attr-defined]
    return response


def visitor_cache(view: View) -> View:
    """Serve the view's page to visitors from the cache, with an ETag."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled() or not is_visitor_request(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        try:
            version = current_version()
            entry = _lookup(key, version)
        except Exception:
            log.exception("page cache unavailable")
            return view(request, *args, **kwargs)
        if entry is not None:
            return _respond(request, entry)

        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not _cacheable(response):
            return response
        charset = response.charset or "utf-8"
        template = _template_of(request, response.content.decode(charset))
        patch_cache_control(response, no_cache=True)
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in ("content-length", "set-cookie", "etag")
            and not name.lower().startswith("content-security-policy")
        }
        entry = {
            "version": version,
            "status": response.status_code,
            "headers": headers,
            "charset": charset,
            "template": template,
            "digest": _digest(version, template),
            "expires": time.time() + settings.PAGE_CACHE_SECONDS,
        }
        _local.set_page(key, entry)
        try:
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.exception("could not store a page in the cache")
        # The stored page, filled in, is what this visitor gets too: one way
        # to answer, whether the page was just built or found.
        return _respond(request, entry)

    return wrapper


def _lookup(key: str, version: str) -> dict[str, Any] | None:
    """The page under key if it was built under version: from this process
    first, else from the shared cache (kept here for the next request)."""
    entry = _local.get_page(key, version)
    if entry is None:
        entry = cache.get(key)
        if entry is None or entry["version"] != version:
            return None
        _local.set_page(key, entry)
    return entry


def _respond(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    headers: dict[str, str] = entry["headers"]
    etag = _etag(request, entry["digest"])
    if get_conditional_response(request, etag=etag) is not None:
        return _not_modified(etag, headers)
    body = _fill(request, entry["template"]).encode(entry["charset"])
    response = HttpResponse(body, status=entry["status"])
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    return response


def connect_signals() -> None:
    """Any saved or deleted row of a content app invalidates the cached pages.

    Not m2m_changed: a listener there turns off Django's fast path for every
    many-to-many add. Relations are set together with a save of their owner
    in one transaction (the admin, the services), whose commit bumps the
    version after them."""
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            uid = f"pagecache:{model._meta.label}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid + ":save")
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid + ":delete")
